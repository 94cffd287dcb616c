// The instructor's view of an assignment: every student of the groups with their status, files and
// score (graded in place), the download of all submissions and the grade exports.
import { Form, Link, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { AssignmentPage, RosterRow } from '../../../server/assignments/assignment-page.ts';
import { LocalTime } from '../local-time.tsx';
import { ScrollTable } from '../scroll-table.tsx';

function ScoreCell({ page, row }: { page: AssignmentPage; row: RosterRow }) {
  const { t } = useTranslation();
  const busy = useNavigation().state === 'submitting';
  if (!page.canGrade || row.status === 'not_submitted')
    return <>{row.score !== null ? `${row.score} / ${page.rules.maxScore}` : ''}</>;
  return (
    <Form method="post" className="inline-form">
      <input type="hidden" name="intent" value="grade" />
      <input type="hidden" name="studentId" value={row.studentId} />
      <input
        type="number"
        name="score"
        min={0}
        max={page.rules.maxScore}
        step="0.5"
        defaultValue={row.score ?? ''}
        required
        aria-label={t('assignment.scoreLabel')}
      />
      <input
        name="feedback"
        defaultValue={row.feedback}
        maxLength={10000}
        aria-label={t('assignment.feedback')}
        placeholder={t('assignment.feedback')}
      />
      <button type="submit" disabled={busy}>
        {t('cabinet.save')}
      </button>
    </Form>
  );
}

function Row({ page, row }: { page: AssignmentPage; row: RosterRow }) {
  const { t } = useTranslation();
  return (
    <tr data-status={row.status}>
      <td>
        {page.canGrade && row.status !== 'not_submitted' ? (
          <Link to={`?student=${row.studentId}`}>{row.name}</Link>
        ) : (
          row.name
        )}
      </td>
      <td>{row.group}</td>
      <td>{t(`assignment.status.${row.status}`)}</td>
      <td>{row.submittedAt ? <LocalTime iso={row.submittedAt} termZone={page.rules.timeZone} /> : ''}</td>
      <td>
        {row.files.map((file) => (
          <a key={file.id} href={`/submission-files/${file.id}`} className="file-chip">
            {file.name}
          </a>
        ))}
        {row.text ? <p className="muted">{row.text}</p> : null}
      </td>
      <td>
        <ScoreCell page={page} row={row} />
      </td>
    </tr>
  );
}

export function Roster({ page, roster }: { page: AssignmentPage; roster: RosterRow[] }) {
  const { t } = useTranslation();
  const { rules } = page;
  return (
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
        {t('assignment.exportGrades')} <a href={`/assignments/${rules.id}/grades.xlsx`}>XLSX</a> ·{' '}
        <a href={`/assignments/${rules.id}/grades.csv`}>CSV</a>
      </p>
      <ScrollTable label={t('assignment.submissions')}>
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
            {roster.map((row) => (
              <Row key={row.studentId} page={page} row={row} />
            ))}
          </tbody>
        </table>
      </ScrollTable>
    </section>
  );
}
