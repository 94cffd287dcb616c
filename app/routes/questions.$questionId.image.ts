// GET /questions/<id>/image: a bank question's picture, for the cabinet's instructor.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { fileResponse } from '../../server/media/file-response.ts';
import { questionImageForBank } from '../../server/quizzes/question-images.ts';
import { getUser, orRespond } from '../guards.server.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await getUser(request, context);
  const image = await orRespond(() =>
    questionImageForBank(context.services.db, context.services.storage, user, params.questionId ?? ''),
  );
  return fileResponse(context.services.storage, image, request);
}
