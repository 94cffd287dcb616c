// GET /admin/export.xlsx: the university as it stands, in the import's sheets and columns (to edit and import again).
import type { LoaderFunctionArgs } from '@remix-run/node';
import { exportUniversity } from '../../server/admin/import/export-university.ts';
import { writeWorkbook } from '../../server/admin/import/write-workbook.ts';
import { requirePermission } from '../../server/auth/permissions.ts';
import { orRespond, requireUser } from '../guards.server.ts';
import { streamedWorkbookResponse } from '../spreadsheets.server.ts';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  await orRespond(async () => requirePermission(user, 'admin.manage', {}));
  const kinds = await exportUniversity(context.services.db);
  return streamedWorkbookResponse(
    (to) => writeWorkbook(to, kinds),
    'kabinet-university.xlsx',
    (error) => context.services.logger.error('export failed', { error: String(error) }),
  );
}
