// POST /quiz-attempts/<id>/answers: the test page saves one answer as the student gives it.
import type { ActionFunctionArgs } from '@remix-run/node';
import { z } from 'zod';
import { saveAnswer } from '../../server/quizzes/attempts.ts';
import { answerSchema } from '../../server/quizzes/grading.ts';
import { getUser, orRespond } from '../guards.server.ts';

const bodySchema = z.object({ position: z.number().int().min(0).max(999), answer: answerSchema });

export async function action({ request, params, context }: ActionFunctionArgs) {
  if (request.method !== 'POST')
    return Response.json({ messageKey: 'errors.invalid_input', params: {} }, { status: 405 });
  const user = await getUser(request, context);
  const body = bodySchema.safeParse(await request.json().catch(() => null));
  if (!body.success) return Response.json({ messageKey: 'quiz.bad_answer', params: {} }, { status: 400 });
  const result = await orRespond(() =>
    saveAnswer(context.services.db, user, params.attemptId ?? '', body.data.position, body.data.answer),
  );
  return Response.json(result);
}
