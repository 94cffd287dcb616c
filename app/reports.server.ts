// GET /reports/departments/<id>.csv | .xlsx (two route files, one loader): the department report
// with the same columns and "as of" date as the page, for those who may see the report.
import type { LoaderFunctionArgs } from '@remix-run/node';
import type { SheetFormat } from '../server/exports/spreadsheet.ts';
import { translatorFor } from '../server/i18n/i18n.ts';
import { departmentReport } from '../server/reports/department-report.ts';
import { reportSheet } from '../server/reports/report-export.ts';
import { orRespond, requireUser } from './guards.server.ts';
import { sheetResponse } from './spreadsheets.server.ts';

export const departmentExportLoader =
  (format: SheetFormat) =>
  async ({ request, params, context }: LoaderFunctionArgs) => {
    const user = await requireUser(request, context);
    const asOf = new URL(request.url).searchParams.get('asOf');
    const report = await orRespond(() =>
      departmentReport(context.services.db, user, params.departmentId ?? '', asOf || null),
    );
    return sheetResponse(
      await reportSheet(report, format, translatorFor(user.locale)),
      format,
      `${report.department.name} ${report.asOf.slice(0, 10)}`,
    );
  };
