// An online test: a student starts an attempt, answers (saved as they go), finishes, and sees the
// score and (when the test's rule allows) the correct answers; the instructor and the staff above see
// every student's result and how each question went; the instructor can override a score.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { z } from 'zod';
import { finishAttempt, overrideScore, startAttempt } from '../../server/quizzes/attempts.ts';
import { quizPage } from '../../server/quizzes/quiz-page.ts';
import { FormattedText } from '../components/formatted-text.tsx';
import { formatNumber } from '../../server/common/format.ts';
import { LocalTime } from '../components/local-time.tsx';
import { QuizAttempt } from '../components/quiz-attempt.tsx';
import { QuestionBody } from '../components/quiz-question.tsx';
import { formResult, orRespond, readForm, requireUser } from '../guards.server.ts';
import { ScrollTable } from '../components/scroll-table.tsx';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const page = await orRespond(() => quizPage(context.services.db, user, params.quizId ?? ''));
  return {
    page,
    instructionsHtml: await context.services.text.formatted(page.rules.instructions),
    now: new Date().toISOString(),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [
  { title: loaded?.page.rules.title ?? 'Kabinet' },
];

const intentSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('start') }),
  z.object({ intent: z.literal('finish'), attemptId: z.string() }),
  z.object({
    intent: z.literal('override'),
    attemptId: z.string(),
    // Empty: back to the automatic score.
    score: z.union([z.literal('').transform(() => null), z.coerce.number().min(0, 'assignment.bad_score')]),
  }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const actor = { user, ip: context.clientIp };
  const { db } = context.services;
  // Out of attempts, not open, closed (409): the student reads it on the page.
  return formResult(async () => {
    const input = await readForm(request, intentSchema);
    if (input.intent === 'start') await startAttempt(db, actor, params.quizId ?? '');
    else if (input.intent === 'finish') await finishAttempt(db, actor, input.attemptId);
    else await overrideScore(db, actor, input.attemptId, input.score);
  }, [400, 409]);
}

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;
type Page = Loaded['page'];

const score = (value: number | null, max: number, t: TFunction) =>
  value === null ? '—' : `${formatNumber(value, t)} / ${formatNumber(max, t)}`;

function Rules({ page }: { page: Page }) {
  const { t } = useTranslation();
  const { rules } = page;
  return (
    <dl className="rules">
      {rules.opensAt ? (
        <>
          <dt>{t('assignment.opensAt')}</dt>
          <dd>
            <LocalTime iso={rules.opensAt} termZone={rules.timeZone} />
          </dd>
        </>
      ) : null}
      <dt>{t('quiz.closesAt')}</dt>
      <dd>
        <LocalTime iso={rules.closesAt} termZone={rules.timeZone} />
      </dd>
      <dt>{t('quiz.timeLimit')}</dt>
      <dd>{rules.timeLimitMinutes ? t('units.minutes', { n: rules.timeLimitMinutes }) : t('quiz.noLimit')}</dd>
      <dt>{t('quiz.attemptsAllowed')}</dt>
      <dd>{rules.attemptsAllowed}</dd>
      <dt>{t('assignment.maxScore')}</dt>
      <dd>{rules.maxScore}</dd>
      <dt>{t('quiz.reviewPolicy')}</dt>
      <dd>{t(`quiz.review.${rules.reviewPolicy}`)}</dd>
    </dl>
  );
}

function StudentView({ page, now }: { page: Page; now: string }) {
  const { t } = useTranslation();
  const busy = useNavigation().state !== 'idle';
  const mine = page.mine!;
  const { rules } = page;
  const open = (!rules.opensAt || rules.opensAt <= now) && now < rules.closesAt;
  const left = rules.attemptsAllowed - mine.attempts.length;
  if (mine.inProgress) return <QuizAttempt key={mine.inProgress.id} attempt={mine.inProgress} serverNow={now} />;
  return (
    <section>
      {mine.attempts.length ? (
        <ScrollTable label={t('quiz.attempts')}>
          <table className="attempts" data-testid="my-attempts">
            <thead>
              <tr>
                <th>#</th>
                <th>{t('quiz.finishedAt')}</th>
                <th>{t('assignment.scoreLabel')}</th>
              </tr>
            </thead>
            <tbody>
              {mine.attempts.map((attempt) => (
                <tr key={attempt.id}>
                  <td>{attempt.number}</td>
                  <td>{attempt.finishedAt ? <LocalTime iso={attempt.finishedAt} termZone={rules.timeZone} /> : '—'}</td>
                  <td data-testid="attempt-score">{score(attempt.score, rules.maxScore, t)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      ) : null}
      {mine.best !== null ? (
        <p className="grade" data-testid="quiz-best">
          {t('quiz.best', { score: formatNumber(mine.best, t), max: formatNumber(rules.maxScore, t) })}
        </p>
      ) : null}
      {open && left > 0 && page.canTake ? (
        <Form method="post">
          <button type="submit" name="intent" value="start" disabled={busy} data-testid="start-attempt">
            {mine.attempts.length ? t('quiz.startAgain', { left }) : t('quiz.start')}
          </button>
        </Form>
      ) : (
        <p className="muted">
          {!open ? t(now < (rules.opensAt ?? '') ? 'quiz.not_open' : 'quiz.closed') : t('quiz.no_attempts_left')}
        </p>
      )}
      {mine.reviews.map((review) => (
        <section key={review.number} className="review" data-testid="review">
          <h2>{t('quiz.reviewTitle', { n: review.number })}</h2>
          <ol className="questions">
            {review.questions.map((question, position) => (
              <li key={position}>
                <QuestionBody
                  question={question}
                  imageUrl={`/quiz-attempts/${review.attemptId}/images/${position}`}
                  answer={question.answer}
                  correct={question.correct}
                  credit={question.credit}
                  feedback={question.feedback}
                />
              </li>
            ))}
          </ol>
        </section>
      ))}
    </section>
  );
}

/** One attempt's score, with the instructor's override. */
function AttemptCell({
  attempt,
  page,
}: {
  attempt: NonNullable<Page['results']>['rows'][number]['attempts'][number];
  page: Page;
}) {
  const { t } = useTranslation();
  const { rules } = page;
  return (
    <div className="attempt">
      #{attempt.number}: {score(attempt.score, rules.maxScore, t)}
      {attempt.overridden ? (
        <span className="muted">
          {' '}
          ({t('quiz.autoScore', { score: attempt.autoScore === null ? '—' : formatNumber(attempt.autoScore, t) })})
        </span>
      ) : null}
      {page.canGrade && attempt.finishedAt ? (
        <Form method="post" className="inline-form">
          <input type="hidden" name="intent" value="override" />
          <input type="hidden" name="attemptId" value={attempt.id} />
          <input
            type="number"
            name="score"
            min={0}
            max={rules.maxScore}
            step="0.01"
            defaultValue={attempt.overridden ? (attempt.score ?? '') : ''}
            aria-label={t('quiz.override')}
            placeholder={t('quiz.override')}
          />
          <button type="submit">{t('cabinet.save')}</button>
        </Form>
      ) : null}
    </div>
  );
}

function Results({ page }: { page: Page }) {
  const { t } = useTranslation();
  const { rules } = page;
  const results = page.results!;
  return (
    <section>
      <h2>{t('quiz.results')}</h2>
      <ScrollTable label={t('quiz.results')}>
        <table className="roster" data-testid="quiz-results">
          <thead>
            <tr>
              <th>{t('progress.student')}</th>
              <th>{t('progress.group')}</th>
              <th>{t('assignment.statusLabel')}</th>
              <th>{t('quiz.attempts')}</th>
              <th>{t('quiz.bestLabel')}</th>
            </tr>
          </thead>
          <tbody>
            {results.rows.map((row) => (
              <tr key={row.studentId} data-testid="result-row" data-status={row.status}>
                <td>{row.name}</td>
                <td>{row.group}</td>
                <td>{t(`quiz.status.${row.status}`)}</td>
                <td>
                  {row.attempts.map((attempt) => (
                    <AttemptCell key={attempt.id} attempt={attempt} page={page} />
                  ))}
                </td>
                <td data-testid="result-best">{score(row.best, rules.maxScore, t)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollTable>
      <h2>{t('quiz.byQuestion')}</h2>
      <ScrollTable label={t('quiz.byQuestion')}>
        <table className="roster" data-testid="question-stats">
          <thead>
            <tr>
              <th>{t('quiz.question')}</th>
              <th>{t('quiz.shown')}</th>
              <th>{t('quiz.answered')}</th>
              <th>{t('quiz.right')}</th>
              <th>{t('quiz.averageCredit')}</th>
            </tr>
          </thead>
          <tbody>
            {results.questions.map((stat) => (
              <tr key={stat.questionId}>
                <td>{stat.title}</td>
                <td>{stat.shown}</td>
                <td>{stat.answered}</td>
                <td>{stat.right}</td>
                <td>{Math.round(stat.averageCredit * 100)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollTable>
    </section>
  );
}

export default function QuizPage() {
  const { t } = useTranslation();
  const { page, instructionsHtml, now } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <section className="assignment">
      <p>
        <Link to={`/cabinets/${page.rules.cabinetId}`}>← {t('cabinet.title')}</Link>
      </p>
      <h1>{page.rules.title}</h1>
      {instructionsHtml ? <FormattedText className="instructions" html={instructionsHtml} /> : null}
      <Rules page={page} />
      {result?.error ? (
        <p className="form-error" role="alert">
          {t(result.error.messageKey, result.error.params)}
        </p>
      ) : null}
      {page.mine ? <StudentView page={page} now={now} /> : null}
      {page.results ? <Results page={page} /> : null}
    </section>
  );
}
