import type { LoaderFunctionArgs } from '@remix-run/node';
import { fileForDownload } from '../../server/cabinets/items.ts';
import { fileResponse } from '../../server/media/file-response.ts';
import { getUser, orRespond } from '../guards.server.ts';

// Downloads: every request is authorized; someone who may not see the file is told it does not exist.
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await getUser(request, context);
  const file = await orRespond(() => fileForDownload(context.services.db, user, params.fileId ?? ''));
  return fileResponse(context.services.storage, file, request);
}
