// POST /watch/<id>/progress: the player reports the ranges played so far and where it is now.
import type { ActionFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { recordWatchProgress } from '../../server/media/lectures.ts';
import { getUser, orRespond } from '../guards.server.ts';

const reportSchema = z.object({
  ranges: z.array(z.tuple([z.number().finite(), z.number().finite()])).max(500),
  position: z.number().finite(),
});

export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== 'POST')
    return Response.json({ messageKey: 'errors.invalid_input', params: {} }, { status: 405 });
  const user = await getUser(request, context);
  const body = reportSchema.safeParse(await request.json().catch(() => null));
  if (!body.success) return Response.json({ messageKey: 'errors.invalid_input', params: {} }, { status: 400 });
  const result = await orRespond(() => recordWatchProgress(context.services.db, user, params.fileId ?? '', body.data));
  return Response.json(result);
}
