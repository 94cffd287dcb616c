// GET /assignments/<id>/grades.csv | grades.xlsx (two route files, one loader): the roster with
// scores, for the staff who see it.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { assignmentPage } from '../server/assignments/assignments.ts';
import { gradeSheet } from '../server/assignments/grade-export.ts';
import { AppError } from '../server/errors.ts';
import { translatorFor } from '../server/i18n/i18n.ts';
import { contentDisposition } from '../server/storage/media-storage.ts';
import { orRespond, requireUser } from './guards.server.ts';

const types = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

export const gradeExportLoader = (format: keyof typeof types) => async ({ request, params, context }: LoaderFunctionArgs) => {
  const user = await requireUser(request, context);
  const page = await orRespond(async () => {
    const found = await assignmentPage(context.services.db, user, params.assignmentId ?? '');
    // Students see their own work only, never the roster.
    if (!found.roster) throw new AppError('forbidden');
    return { ...found, roster: found.roster };
  });
  const body = await gradeSheet(page, format, translatorFor(user.locale));
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': types[format],
      'Content-Disposition': contentDisposition('attachment', `${page.rules.title}.${format}`),
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
};
