// A cabinet's question bank: write or edit a question of any kind (with a preview as the student
// sees it), import GIFT or Aiken files (with a report of what could not be read), export to GIFT.
// The cabinet's instructor only.
import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { importQuestions, listQuestions } from '../../server/quizzes/question-bank.ts';
import type { ImportProblem } from '../../server/quizzes/question-formats.ts';
import { setQuestionImage } from '../../server/quizzes/question-images.ts';
import { addQuestion, editQuestion, readQuestionInput } from '../../server/quizzes/question-editor.ts';
import { QuestionEditor } from '../components/question-editor.tsx';
import { formResult, orRespond, readForm, requireUser } from '../guards.server.ts';
import { titled } from '../components/page-title.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const questions = await orRespond(() => listQuestions(context.services.db, user, params.cabinetId ?? ''));
  return { cabinetId: params.cabinetId ?? '', questions };
}

export const meta = titled('quiz.bank');

const intentSchema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('import'),
    format: z.enum(['gift', 'aiken']),
    file: z.instanceof(File, { message: 'quiz.import.file_size' }),
  }),
  z.object({ intent: z.literal('write-question'), question: z.string().max(200_000) }),
  z.object({ intent: z.literal('edit-question'), questionId: z.string().max(64), question: z.string().max(200_000) }),
  z.object({
    intent: z.literal('set-image'),
    questionId: z.string(),
    image: z.instanceof(File, { message: 'quiz.image_size' }),
  }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const actor = { user, ip: context.clientIp };
  return formResult(async () => {
    const input = await readForm(request, intentSchema);
    const { db } = context.services;
    if (input.intent === 'write-question') {
      await addQuestion(db, actor, params.cabinetId ?? '', readQuestionInput(input.question));
      return { saved: true as const };
    }
    if (input.intent === 'edit-question') {
      await editQuestion(db, actor, input.questionId, readQuestionInput(input.question));
      return { saved: true as const };
    }
    const bytes = new Uint8Array(await (input.intent === 'import' ? input.file : input.image).arrayBuffer());
    if (input.intent === 'set-image') {
      await setQuestionImage(context.services.db, context.services.storage, actor, input.questionId, bytes);
      return null;
    }
    return importQuestions(
      context.services.db,
      actor,
      params.cabinetId ?? '',
      input.format,
      bytes,
      context.services.text.questions,
    );
  }, [400, 415]);
}

/** What an import brought in, and each question it could not read, by its line. */
function ImportReport({ report }: { report: { imported: number; problems: ImportProblem[] } }) {
  const { t } = useTranslation();
  return (
    <div className="import-report" data-testid="import-report">
      <p>{t('quiz.import.done', { count: report.imported })}</p>
      {report.problems.length ? (
        <ul>
          {report.problems.map((problem) => (
            <li key={`${problem.line}-${problem.reason}`}>
              {t('quiz.import.line', { line: problem.line })}: {t(problem.reason)} <code>{problem.excerpt}</code>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export default function QuestionBank() {
  const { cabinetId, questions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const busy = useNavigation().state === 'submitting';
  return (
    <section className="question-bank">
      <p>
        <Link to={`/cabinets/${cabinetId}`}>← {t('video.back')}</Link>
      </p>
      <h1>{t('quiz.bank')}</h1>
      <Form method="post" encType="multipart/form-data" className="inline-form" data-testid="import-form">
        <input type="hidden" name="intent" value="import" />
        <label>
          {t('quiz.format')}{' '}
          <select name="format" defaultValue="gift">
            <option value="gift">GIFT</option>
            <option value="aiken">Aiken</option>
          </select>
        </label>{' '}
        <input type="file" name="file" accept=".txt,.gift" required aria-label={t('quiz.file')} />{' '}
        <button type="submit" disabled={busy}>
          {t('quiz.import.button')}
        </button>
      </Form>
      {result?.error ? (
        <p className="form-error" role="alert">
          {t(result.error.messageKey, result.error.params)}
        </p>
      ) : null}
      {result?.result && 'saved' in result.result ? (
        <p className="notice" role="status" data-testid="question-saved">
          {t('quiz.editor.saved')}
        </p>
      ) : null}
      <details className="write-question" data-testid="write-question">
        <summary>{t('quiz.editor.write')}</summary>
        <QuestionEditor key={questions.length} busy={busy} />
      </details>
      {result?.result && 'imported' in result.result ? <ImportReport report={result.result} /> : null}
      <p>
        <a href={`/cabinets/${cabinetId}/questions.gift`}>{t('quiz.export')}</a>
      </p>
      <ol className="questions" data-testid="questions">
        {questions.map((question) => (
          <li key={question.id}>
            <strong>{question.title}</strong> <span className="muted">{t(`quiz.kind.${question.data.kind}`)}</span>
            <p>{question.stem}</p>
            <details className="edit-question">
              <summary>{t('quiz.editor.edit')}</summary>
              <QuestionEditor question={question} busy={busy} />
            </details>
            {question.hasImage ? (
              <img src={`/questions/${question.id}/image`} alt="" className="question-image" loading="lazy" />
            ) : null}
            <Form method="post" encType="multipart/form-data" className="inline-form">
              <input type="hidden" name="intent" value="set-image" />
              <input type="hidden" name="questionId" value={question.id} />
              <input
                type="file"
                name="image"
                accept="image/png,image/jpeg,image/gif,image/webp"
                required
                aria-label={t('quiz.image')}
              />{' '}
              <button type="submit" disabled={busy}>
                {question.hasImage ? t('quiz.replaceImage') : t('quiz.addImage')}
              </button>
            </Form>
          </li>
        ))}
      </ol>
    </section>
  );
}
