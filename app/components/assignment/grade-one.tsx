import { Form, Link } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { AssignmentPage } from '../../../server/assignments/assignment-page.ts';
import { LocalTime } from '../local-time.tsx';

/**
 * One student's work and the grade form, with previous/next among those who submitted: the score
 * field has the focus, Enter saves and moves on, Alt+N / Alt+P (access keys) move without saving.
 */
export function GradeOne({ page, studentId }: { page: AssignmentPage; studentId: string }) {
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
        {row.name} <span className="muted">{row.group}</span>{' '}
        <span className="muted">
          ({at + 1} / {submitted.length})
        </span>
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
          {t('assignment.scoreLabel')} (≤ {page.rules.maxScore}){' '}
          <input
            type="number"
            name="score"
            min={0}
            max={page.rules.maxScore}
            step="0.5"
            defaultValue={row.score ?? ''}
            required
            autoFocus
          />
        </label>
        <label>
          {t('assignment.feedback')} <textarea name="feedback" rows={3} defaultValue={row.feedback} maxLength={10000} />
        </label>
        <button type="submit">{next ? t('assignment.saveAndNext') : t('cabinet.save')}</button>
      </Form>
    </section>
  );
}
