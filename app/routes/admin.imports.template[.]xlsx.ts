// GET /admin/imports/template.xlsx: the import template (headers, an example row per sheet, a "read me" sheet in the admin's language).
import type { LoaderFunctionArgs } from '@remix-run/node';
import { writeTemplate } from '../../server/admin/import/import-template.ts';
import { requirePermission } from '../../server/auth/permissions.ts';
import { translatorFor } from '../../server/i18n/i18n.ts';
import { orRespond, requireUser } from '../guards.server.ts';
import { streamedWorkbookResponse } from '../spreadsheets.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  await orRespond(async () => requirePermission(user, 'admin.manage', {}));
  const t = translatorFor(user.locale);
  return streamedWorkbookResponse(
    (to) => writeTemplate(to, t),
    'kabinet-import-template.xlsx',
    (error) => context.services.logger.error('template failed', { error: String(error) }),
  );
}
