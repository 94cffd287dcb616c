// GET /admin/audit.csv: the audit log with the page's filters, as CSV streamed in batches.
import { Readable } from 'node:stream';
import { createReadableStreamFromReadable, type LoaderFunctionArgs } from '@remix-run/node';
import { auditCsv, auditFiltersOf } from '../../server/admin/audit-viewer.ts';
import { requirePermission } from '../../server/auth/permissions.ts';
import { currentTerm, defaultTimeZone } from '../../server/cabinets/term.ts';
import { translatorFor } from '../../server/i18n/i18n.ts';
import { contentDisposition } from '../../server/storage/media-storage.ts';
import { orRespond, requireUser } from '../guards.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  await orRespond(async () => requirePermission(user, 'admin.manage', {}));
  const { db } = context.services;
  const t = translatorFor(user.locale);
  const timeZone = (await currentTerm(db))?.timeZone ?? defaultTimeZone;
  const header = ['at', 'person', 'email', 'action', 'objectType', 'objectId', 'ip', 'details'].map((name) =>
    t(`admin.audit.csvColumns.${name}`),
  );
  const lines = auditCsv(db, user, auditFiltersOf(new URL(request.url).searchParams), timeZone, header);
  return new Response(createReadableStreamFromReadable(Readable.from(lines)), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': contentDisposition('attachment', 'kabinet-audit.csv'),
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
