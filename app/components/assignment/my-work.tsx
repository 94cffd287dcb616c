// A student's own work on an assignment: the grade, the files and text to submit (resumable
// uploads, kept as drafts until submitted), and every version submitted so far.
import { Form, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { AssignmentPage, SubmissionView } from '../../../server/assignments/assignment-page.ts';
import { formatBytes, formatNumber } from '../../../server/common/format.ts';
import { LocalTime } from '../local-time.tsx';
import { Uploader } from '../upload/uploader.tsx';

type Mine = NonNullable<AssignmentPage['mine']>;

function SubmitForm({ page, mine, chunkSize }: { page: AssignmentPage; mine: Mine; chunkSize: number }) {
  const { t } = useTranslation();
  const busy = useNavigation().state === 'submitting';
  const { rules } = page;
  return (
    <>
      <p className="muted">
        {t('assignment.fileRules', {
          count: rules.maxFiles,
          size: formatBytes(rules.maxFileBytes, t),
          types: rules.allowedExtensions.join(', ') || t('assignment.anyType'),
        })}
      </p>
      <Uploader
        cabinetId={rules.cabinetId}
        assignmentId={rules.id}
        chunkSize={chunkSize}
        label={t('assignment.addFiles')}
      />
      <ul className="files" data-testid="drafts">
        {mine.drafts.map((file) => (
          <li key={file.id}>
            <a href={`/submission-files/${file.id}`}>{file.name}</a>{' '}
            <span className="muted">{formatBytes(file.byteSize, t)}</span>
          </li>
        ))}
      </ul>
      <Form method="post" className="stacked">
        <input type="hidden" name="intent" value="submit" />
        <label>
          {t('assignment.text')} <textarea name="text" rows={3} maxLength={20000} />
        </label>
        <button type="submit" disabled={busy} data-testid="submit-work">
          {mine.versions.length ? t('assignment.resubmit') : t('assignment.submit')}
        </button>
      </Form>
    </>
  );
}

function Version({ version, zone }: { version: SubmissionView; zone: string }) {
  const { t } = useTranslation();
  return (
    <div className="version" data-testid="version">
      <strong>{t('assignment.version', { n: version.version })}</strong>{' '}
      <LocalTime iso={version.submittedAt} termZone={zone} />{' '}
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
  );
}

export function MyWork({ page, mine, chunkSize }: { page: AssignmentPage; mine: Mine; chunkSize: number }) {
  const { t } = useTranslation();
  return (
    <section className="my-work">
      <h2>{t('assignment.myWork')}</h2>
      {mine.grade ? (
        <p className="grade" data-testid="my-grade">
          {t('assignment.gradeShown', {
            score: formatNumber(mine.grade.score, t),
            max: formatNumber(page.rules.maxScore, t),
          })}
          {mine.grade.feedback ? ` — ${mine.grade.feedback}` : ''}
        </p>
      ) : null}
      {page.canSubmit ? <SubmitForm page={page} mine={mine} chunkSize={chunkSize} /> : null}
      {mine.versions.map((version) => (
        <Version key={version.version} version={version} zone={page.rules.timeZone} />
      ))}
    </section>
  );
}
