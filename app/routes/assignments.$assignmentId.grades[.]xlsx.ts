import { gradeExportLoader } from '../spreadsheets.server.ts';

export const loader = gradeExportLoader('xlsx');
