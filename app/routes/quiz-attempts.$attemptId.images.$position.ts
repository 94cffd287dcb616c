// GET /quiz-attempts/<id>/images/<n>: the picture of an attempt's n-th question.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { fileResponse } from '../../server/media/file-response.ts';
import { questionImageForAttempt } from '../../server/quizzes/question-images.ts';
import { getUser, orRespond } from '../guards.server.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await getUser(request, context);
  const position = /^\d{1,3}$/.test(params.position ?? '') ? Number(params.position) : -1;
  const image = await orRespond(() =>
    questionImageForAttempt(context.services.db, context.services.storage, user, params.attemptId ?? '', position),
  );
  return fileResponse(context.services.storage, image, request);
}
