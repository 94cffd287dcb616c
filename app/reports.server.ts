// GET /reports/departments/<id>.csv | .xlsx, /reports/faculties/<id>.csv | .xlsx and
// /reports/university.csv | .xlsx (two route files each, one loader per level): the report with the
// same columns and "as of" date as its page, for those who may read it; a CSV separated as the
// reader's Excel expects (`?sep=comma|semicolon` to choose).
import type { LoaderFunctionArgs } from '@remix-run/node';
import { csvSeparatorFor, type SheetFormat } from '../server/exports/spreadsheet.ts';
import { translatorFor } from '../server/i18n/i18n.ts';
import { departmentReport } from '../server/reports/department-report.ts';
import { reportSheet, rollupSheet } from '../server/reports/report-export.ts';
import { facultyReport, universityReport } from '../server/reports/rollups.ts';
import { orRespond, requireUser } from './guards.server.ts';
import { sheetResponse } from './spreadsheets.server.ts';

export const departmentExportLoader =
  (format: SheetFormat) =>
  async ({ request, params, context }: LoaderFunctionArgs) => {
    const user = await requireUser(request, context);
    const query = new URL(request.url).searchParams;
    const report = await orRespond(() =>
      departmentReport(context.services.db, user, params.departmentId ?? '', query.get('asOf') || null),
    );
    const separator = csvSeparatorFor(user.locale, query.get('sep'));
    return sheetResponse(
      await reportSheet(report, format, translatorFor(user.locale), separator),
      format,
      `${report.department.name} ${report.asOf.slice(0, 10)}`,
    );
  };

/** A faculty's report (`params.facultyId`) or, without it, the university's, as a spreadsheet. */
export const rollupExportLoader =
  (format: SheetFormat) =>
  async ({ request, params, context }: LoaderFunctionArgs) => {
    const user = await requireUser(request, context);
    const query = new URL(request.url).searchParams;
    const asOf = query.get('asOf') || null;
    const { db } = context.services;
    const rollup = await orRespond(() =>
      params.facultyId === undefined
        ? universityReport(db, user, asOf)
        : facultyReport(db, user, params.facultyId, asOf),
    );
    const t = translatorFor(user.locale);
    const title = rollup.title || t('report.university');
    const separator = csvSeparatorFor(user.locale, query.get('sep'));
    return sheetResponse(
      await rollupSheet(rollup, title, format, t, separator),
      format,
      `${title} ${rollup.asOf.slice(0, 10)}`,
    );
  };
