import { departmentExportLoader } from '../reports.server.ts';

export const loader = departmentExportLoader('xlsx');
