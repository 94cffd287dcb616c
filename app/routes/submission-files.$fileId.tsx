import type { LoaderFunctionArgs } from '@remix-run/node';
import { submissionFileForDownload } from '../../server/assignments/assignment-page.ts';
import { fileResponse } from '../../server/media/file-response.ts';
import { getUser, orRespond } from '../guards.server.ts';

// A student's file: only the student, the cabinet's instructor and the staff above; everyone else is told it does not exist.
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await getUser(request, context);
  const file = await orRespond(() => submissionFileForDownload(context.services.db, user, params.fileId ?? ''));
  return fileResponse(context.services.storage, file, request);
}
