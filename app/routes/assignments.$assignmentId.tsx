// An assignment: students read it, upload files (resumable), submit and see their grade; the
// instructor sees every student of the groups, opens their files, grades, and downloads them all.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from '@remix-run/node';
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { assignmentPage, gradeSchema, gradeSubmission, submitWork } from '../../server/assignments/assignments.ts';
import { formatBytes } from '../components/format.ts';
import { FormattedText } from '../components/formatted-text.tsx';
import { LocalTime } from '../components/local-time.tsx';
import { Uploader } from '../components/uploader.tsx';
import { formResult, orRespond, readForm, requireUser } from '../guards.server.ts';

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const page = await orRespond(() => assignmentPage(context.services.db, user, params.assignmentId ?? ''));
  const student = new URL(request.url).searchParams.get('student');
  const instructionsHtml = await context.services.text.formatted(page.rules.instructions);
  return { page, instructionsHtml, chunkSize: context.services.config.uploadChunkBytes, now: new Date().toISOString(), student };
}

export const meta: MetaFunction<typeof loader> = ({ data: loaded }) => [{ title: loaded?.page.rules.title ?? 'Kabinet' }];

const intentSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('submit'), text: z.string().max(20_000).default('') }),
  z.object({ intent: z.literal('grade'), next: z.string().optional() }).merge(gradeSchema),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const actor = { user, ip: context.clientIp };
  const assignmentId = params.assignmentId ?? '';
  // A closed deadline or too many files (409) is something the student reads on the page too.
  return formResult(async () => {
    const input = await readForm(request, intentSchema);
    if (input.intent === 'submit') {
      await submitWork(context.services.db, actor, assignmentId, input.text);
      return;
    }
    await gradeSubmission(context.services.db, actor, assignmentId, input);
    // Grading one student after another: on to the next one.
    if (input.next) throw redirect(`/assignments/${assignmentId}?student=${encodeURIComponent(input.next)}`);
  }, [400, 409]);
}

/** Time left until the due moment, counting down each second. */
function Countdown({ dueAt, now }: { dueAt: string; now: string }) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState(() => Date.parse(now));
  useEffect(() => {
    const timer = setInterval(() => setCurrent(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.floor((Date.parse(dueAt) - current) / 1000);
  if (left <= 0) return <span className="badge overdue">{t('assignment.pastDue')}</span>;
  const days = Math.floor(left / 86400);
  const clock = [Math.floor((left % 86400) / 3600), Math.floor((left % 3600) / 60), left % 60].map((n) => String(n).padStart(2, '0')).join(':');
  return <span data-testid="countdown">{t('assignment.timeLeft', { days, clock })}</span>;
}

type Loaded = ReturnType<typeof useLoaderData<typeof loader>>;

/**
 * One student's work and the grade form, with previous/next among those who submitted: the score
 * field has the focus, Enter saves and moves on, Alt+N / Alt+P (access keys) move without saving.
 */
function GradeOne({ page, studentId }: { page: Loaded['page']; studentId: string }) {
  const { t } = useTranslation();
  const submitted = (page.roster ?? []).filter((row) => row.status !== 'not_submitted');
  const at = submitted.findIndex((row) => row.studentId === studentId);
  const row = submitted[at];
  if (!row) return null;
  const previous = submitted[at - 1];
  const next = submitted[at + 1];
  return (
    <section className="grade-one" data-testid="grade-one">
      <h2>
        {row.name} <span className="muted">{row.group}</span> <span className="muted">({at + 1} / {submitted.length})</span>
      </h2>
      <p>
        {previous ? (
          <Link to={`?student=${previous.studentId}`} accessKey="p">
            ← {previous.name}
          </Link>
        ) : null}{' '}
        {next ? (
          <Link to={`?student=${next.studentId}`} accessKey="n">
            {next.name} →
          </Link>
        ) : null}
      </p>
      <p>
        {t(`assignment.status.${row.status}`)}
        {row.submittedAt ? (
          <>
            {' '}
            · <LocalTime iso={row.submittedAt} termZone={page.rules.timeZone} />
          </>
        ) : null}
      </p>
      <ul className="files">
        {row.files.map((file) => (
          <li key={file.id}>
            <a href={`/submission-files/${file.id}`} target="_blank" rel="noreferrer">
              {file.name}
            </a>
          </li>
        ))}
      </ul>
      {row.text ? <blockquote>{row.text}</blockquote> : null}
      <Form method="post" className="stacked" key={row.studentId}>
        <input type="hidden" name="intent" value="grade" />
        <input type="hidden" name="studentId" value={row.studentId} />
        {next ? <input type="hidden" name="next" value={next.studentId} /> : null}
        <label>
          {t('assignment.scoreLabel')} (≤ {page.rules.maxScore}) <input type="number" name="score" min={0} max={page.rules.maxScore} step="0.5" defaultValue={row.score ?? ''} required autoFocus />
        </label>
        <label>
          {t('assignment.feedback')} <textarea name="feedback" rows={3} defaultValue={row.feedback} maxLength={10000} />
        </label>
        <button type="submit">{next ? t('assignment.saveAndNext') : t('cabinet.save')}</button>
      </Form>
    </section>
  );
}

export default function AssignmentPage() {
  const { page, instructionsHtml, chunkSize, now, student } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation();
  const busy = useNavigation().state === 'submitting';
  const { rules } = page;
  const zone = rules.timeZone;
  return (
    <section className="assignment">
      <p>
        <Link to={`/cabinets/${rules.cabinetId}`}>← {t('video.back')}</Link>
      </p>
      <h1>{rules.title}</h1>
      <p className="muted">
        {rules.opensAt ? (
          <>
            {t('assignment.opensAt')} <LocalTime iso={rules.opensAt} termZone={zone} /> ·{' '}
          </>
        ) : null}
        {t('assignment.due')} <LocalTime iso={rules.dueAt} termZone={zone} /> · <Countdown dueAt={rules.dueAt} now={now} /> ·{' '}
        {t(rules.latePolicy === 'refuse' ? 'assignment.refuseLate' : 'assignment.acceptLate')} · {t('assignment.maxScoreShown', { max: rules.maxScore })}
      </p>
      {instructionsHtml ? <FormattedText className="instructions" html={instructionsHtml} /> : null}
      {result?.error ? (
        <p className="form-error" role="alert">
          {t(result.error.messageKey, result.error.params)}
        </p>
      ) : null}

      {page.mine ? (
        <section className="my-work">
          <h2>{t('assignment.myWork')}</h2>
          {page.mine.grade ? (
            <p className="grade" data-testid="my-grade">
              {t('assignment.gradeShown', { score: page.mine.grade.score, max: rules.maxScore })}
              {page.mine.grade.feedback ? ` — ${page.mine.grade.feedback}` : ''}
            </p>
          ) : null}
          {page.canSubmit ? (
            <>
              <p className="muted">
                {t('assignment.fileRules', { files: rules.maxFiles, size: formatBytes(rules.maxFileBytes, t), types: rules.allowedExtensions.join(', ') || t('assignment.anyType') })}
              </p>
              <Uploader cabinetId={rules.cabinetId} assignmentId={rules.id} chunkSize={chunkSize} label={t('assignment.addFiles')} />
              <ul className="files" data-testid="drafts">
                {page.mine.drafts.map((file) => (
                  <li key={file.id}>
                    <a href={`/submission-files/${file.id}`}>{file.name}</a> <span className="muted">{formatBytes(file.byteSize, t)}</span>
                  </li>
                ))}
              </ul>
              <Form method="post" className="stacked">
                <input type="hidden" name="intent" value="submit" />
                <label>
                  {t('assignment.text')} <textarea name="text" rows={3} maxLength={20000} />
                </label>
                <button type="submit" disabled={busy} data-testid="submit-work">
                  {page.mine.versions.length ? t('assignment.resubmit') : t('assignment.submit')}
                </button>
              </Form>
            </>
          ) : null}
          {page.mine.versions.map((version) => (
            <div key={version.version} className="version" data-testid="version">
              <strong>{t('assignment.version', { n: version.version })}</strong> <LocalTime iso={version.submittedAt} termZone={zone} />{' '}
              {version.late ? <span className="badge overdue">{t('assignment.status.late')}</span> : null}
              {version.text ? <p>{version.text}</p> : null}
              <ul className="files">
                {version.files.map((file) => (
                  <li key={file.id}>
                    <a href={`/submission-files/${file.id}`}>{file.name}</a>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </section>
      ) : null}

      {page.roster && page.canGrade && student ? <GradeOne page={page} studentId={student} /> : null}
      {page.roster ? (
        <section className="roster">
          <h2>{t('assignment.submissions')}</h2>
          <p>
            {page.canGrade ? (
              <>
                <a href={`/assignments/${rules.id}/submissions.zip`} data-testid="zip-link">
                  {t('assignment.downloadAll')}
                </a>{' '}
                ·{' '}
              </>
            ) : null}
            {t('assignment.exportGrades')} <a href={`/assignments/${rules.id}/grades.xlsx`}>XLSX</a> · <a href={`/assignments/${rules.id}/grades.csv`}>CSV</a>
          </p>
          <table data-testid="roster">
            <thead>
              <tr>
                <th>{t('progress.student')}</th>
                <th>{t('progress.group')}</th>
                <th>{t('assignment.statusLabel')}</th>
                <th>{t('assignment.submittedAt')}</th>
                <th>{t('assignment.files')}</th>
                <th>{t('assignment.scoreLabel')}</th>
              </tr>
            </thead>
            <tbody>
              {page.roster.map((row) => (
                <tr key={row.studentId} data-status={row.status}>
                  <td>{page.canGrade && row.status !== 'not_submitted' ? <Link to={`?student=${row.studentId}`}>{row.name}</Link> : row.name}</td>
                  <td>{row.group}</td>
                  <td>{t(`assignment.status.${row.status}`)}</td>
                  <td>{row.submittedAt ? <LocalTime iso={row.submittedAt} termZone={zone} /> : ''}</td>
                  <td>
                    {row.files.map((file) => (
                      <a key={file.id} href={`/submission-files/${file.id}`} className="file-chip">
                        {file.name}
                      </a>
                    ))}
                    {row.text ? <p className="muted">{row.text}</p> : null}
                  </td>
                  <td>
                    {page.canGrade && row.status !== 'not_submitted' ? (
                      <Form method="post" className="inline-form">
                        <input type="hidden" name="intent" value="grade" />
                        <input type="hidden" name="studentId" value={row.studentId} />
                        <input type="number" name="score" min={0} max={rules.maxScore} step="0.5" defaultValue={row.score ?? ''} required aria-label={t('assignment.scoreLabel')} />
                        <input name="feedback" defaultValue={row.feedback} maxLength={10000} aria-label={t('assignment.feedback')} placeholder={t('assignment.feedback')} />
                        <button type="submit" disabled={busy}>
                          {t('cabinet.save')}
                        </button>
                      </Form>
                    ) : row.score !== null ? (
                      `${row.score} / ${rules.maxScore}`
                    ) : (
                      ''
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </section>
  );
}
