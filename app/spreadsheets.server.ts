// Spreadsheet downloads: GET /assignments/<id>/grades.csv | grades.xlsx (two route files, one
// loader), the roster with scores for the staff who see it; and the response every export uses.
import { PassThrough } from 'node:stream';
import { createReadableStreamFromReadable, type LoaderFunctionArgs } from '@remix-run/node';
import { assignmentPage } from '../server/assignments/assignment-page.ts';
import { gradeSheet } from '../server/assignments/grade-export.ts';
import { AppError } from '../server/errors.ts';
import { translatorFor } from '../server/i18n/i18n.ts';
import { contentDisposition } from '../server/storage/media-storage.ts';
import { SHEET_TYPES, type SheetFormat } from '../server/exports/spreadsheet.ts';
import { orRespond, requireUser } from './guards.server.ts';

/** A spreadsheet as a download, never cached or sniffed. */
export function sheetResponse(body: Buffer, format: SheetFormat, title: string): Response {
  return new Response(new Uint8Array(body), {
    headers: {
      'Content-Type': SHEET_TYPES[format],
      'Content-Disposition': contentDisposition('attachment', `${title}.${format}`),
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}

export const gradeExportLoader =
  (format: SheetFormat) =>
  async ({ request, params, context }: LoaderFunctionArgs) => {
    const user = await requireUser(request, context);
    const page = await orRespond(async () => {
      const found = await assignmentPage(context.services.db, user, params.assignmentId ?? '');
      // Students see their own work only, never the roster.
      if (!found.roster) throw new AppError('forbidden');
      return { ...found, roster: found.roster };
    });
    return sheetResponse(await gradeSheet(page, format, translatorFor(user.locale)), format, page.rules.title);
  };

/** A workbook written as it streams out (large exports never sit whole in memory). */
export function streamedWorkbookResponse(
  write: (to: PassThrough) => Promise<void>,
  fileName: string,
  onError: (error: unknown) => void,
): Response {
  const body = new PassThrough();
  write(body).then(
    () => body.end(),
    (error: unknown) => {
      onError(error);
      body.destroy(error instanceof Error ? error : new Error(String(error)));
    },
  );
  return new Response(createReadableStreamFromReadable(body), {
    headers: {
      'Content-Type': SHEET_TYPES.xlsx,
      'Content-Disposition': contentDisposition('attachment', fileName),
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
