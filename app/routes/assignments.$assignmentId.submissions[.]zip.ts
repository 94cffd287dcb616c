// GET /assignments/<id>/submissions.zip: the instructor's "download all", streamed.
import { Readable } from 'node:stream';
import type { LoaderFunctionArgs } from '@remix-run/node';
import { latestSubmissionFiles } from '../../server/assignments/assignments.ts';
import { zipOfFiles } from '../../server/assignments/submissions-zip.ts';
import { contentDisposition } from '../../server/storage/media-storage.ts';
import { getUser, orRespond } from '../guards.server.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await getUser(request, context);
  const { title, files } = await orRespond(() => latestSubmissionFiles(context.services.db, user, params.assignmentId ?? ''));
  const body = Readable.toWeb(zipOfFiles(context.services.storage, files)) as ReadableStream<Uint8Array>;
  return new Response(body, {
    headers: {
      'Content-Type': 'application/zip',
      'Content-Disposition': contentDisposition('attachment', `${title}.zip`),
      'Cache-Control': 'private, no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
