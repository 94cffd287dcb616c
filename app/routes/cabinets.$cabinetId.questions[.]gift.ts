// GET /cabinets/<id>/questions.gift: the cabinet's question bank as Moodle GIFT, for its instructor.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { exportQuestions } from '../../server/quizzes/question-bank.ts';
import { contentDisposition } from '../../server/storage/media-storage.ts';
import { orRespond, requireUser } from '../guards.server.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const gift = await orRespond(() => exportQuestions(context.services.db, user, params.cabinetId ?? ''));
  return new Response(gift, {
    headers: {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Disposition': contentDisposition('attachment', 'questions.gift.txt'),
      'Cache-Control': 'private, no-store',
    },
  });
}
