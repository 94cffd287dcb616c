// GET /watch/<id>/captions/<ky|ru|en>: a lecture's captions as WebVTT, for whoever may see the lecture.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { captionForViewer } from '../../server/media/lectures.ts';
import { getUser, orRespond } from '../guards.server.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await getUser(request, context);
  const vtt = await orRespond(() =>
    captionForViewer(context.services.db, user, params.fileId ?? '', params.language ?? ''),
  );
  return new Response(vtt, {
    headers: {
      'Content-Type': 'text/vtt; charset=utf-8',
      'Cache-Control': 'private, no-cache',
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
