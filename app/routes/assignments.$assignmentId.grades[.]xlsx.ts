import { gradeExportLoader } from '../grade-export.server.ts';

export const loader = gradeExportLoader('xlsx');
