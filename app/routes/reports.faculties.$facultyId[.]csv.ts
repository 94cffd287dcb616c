import { rollupExportLoader } from '../reports.server.ts';

export const loader = rollupExportLoader('csv');
