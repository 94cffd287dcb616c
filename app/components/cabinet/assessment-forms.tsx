// New assessments of a cabinet: an assignment students answer with files, or an online test drawn
// from the cabinet's question bank; in an assessment slot or as an extra item.
import { Form } from '@remix-run/react';
import { useTranslation } from 'react-i18next';

/** What every new assessment asks: where it goes, its title, formatted instructions, when it opens. */
function AssessmentCommonFields({ slotId }: { slotId?: string }) {
  const { t } = useTranslation();
  return (
    <>
      {slotId ? <input type="hidden" name="slotId" value={slotId} /> : null}
      <label>
        {t('cabinet.itemTitle')} <input name="title" required maxLength={200} />
      </label>
      <label>
        {t('assignment.instructions')} <textarea name="instructions" rows={4} maxLength={20000} />
        <small className="muted">{t('assignment.formatHint')}</small>
      </label>
      <label>
        {t('assignment.opensAt')} <input type="datetime-local" name="opensAt" />
      </label>
    </>
  );
}

/** A new assignment, in an assessment slot or (no slot) as an extra item; dates are in the term's time zone. */
export function AssignmentForm({ slotId }: { slotId?: string }) {
  const { t } = useTranslation();
  return (
    <details className="new-assignment">
      <summary>{t('assignment.create')}</summary>
      <Form method="post" className="stacked" data-testid="assignment-form">
        <input type="hidden" name="intent" value="create-assignment" />
        <AssessmentCommonFields slotId={slotId} />
        <label>
          {t('assignment.dueAtLabel')} <input type="datetime-local" name="dueAt" required />
        </label>
        <label>
          {t('assignment.latePolicy')}{' '}
          <select name="latePolicy" defaultValue="accept_late">
            <option value="accept_late">{t('assignment.acceptLate')}</option>
            <option value="refuse">{t('assignment.refuseLate')}</option>
          </select>
        </label>
        <label>
          {t('assignment.maxScore')}{' '}
          <input type="number" name="maxScore" min={1} max={1000} step="0.5" defaultValue={100} required />
        </label>
        <label>
          {t('assignment.allowedExtensions')} <input name="allowedExtensions" placeholder="pdf, docx, jpg" />
        </label>
        <label>
          {t('assignment.maxFiles')} <input type="number" name="maxFiles" min={1} max={20} defaultValue={5} required />
        </label>
        <label>
          {t('assignment.maxFileMib')}{' '}
          <input type="number" name="maxFileMib" min={1} max={2048} defaultValue={50} required />
        </label>
        <button type="submit">{t('assignment.create')}</button>
      </Form>
    </details>
  );
}

/** A new online test from the cabinet's question bank, in an assessment slot or as an extra item. */
export function QuizForm({ slotId }: { slotId?: string }) {
  const { t } = useTranslation();
  return (
    <details className="new-assignment">
      <summary>{t('quiz.create')}</summary>
      <Form method="post" className="stacked" data-testid="quiz-form">
        <input type="hidden" name="intent" value="create-quiz" />
        <AssessmentCommonFields slotId={slotId} />
        <label>
          {t('quiz.closesAtLabel')} <input type="datetime-local" name="closesAt" required />
        </label>
        <label>
          {t('quiz.timeLimit')}{' '}
          <input type="number" name="timeLimitMinutes" min={1} max={600} placeholder={t('quiz.noLimit')} />
        </label>
        <label>
          {t('quiz.attemptsAllowed')}{' '}
          <input type="number" name="attemptsAllowed" min={1} max={20} defaultValue={1} required />
        </label>
        <label>
          {t('quiz.drawCount')}{' '}
          <input type="number" name="drawCount" min={1} max={500} placeholder={t('quiz.allQuestions')} />
        </label>
        <label className="check">
          <input type="checkbox" name="shuffleQuestions" defaultChecked /> {t('quiz.shuffleQuestions')}
        </label>
        <label className="check">
          <input type="checkbox" name="shuffleAnswers" defaultChecked /> {t('quiz.shuffleAnswers')}
        </label>
        <label>
          {t('quiz.reviewPolicy')}{' '}
          <select name="reviewPolicy" defaultValue="after_close">
            <option value="after_attempt">{t('quiz.review.after_attempt')}</option>
            <option value="after_close">{t('quiz.review.after_close')}</option>
            <option value="never">{t('quiz.review.never')}</option>
          </select>
        </label>
        <label>
          {t('assignment.maxScore')}{' '}
          <input type="number" name="maxScore" min={1} max={1000} step="0.5" defaultValue={100} required />
        </label>
        <button type="submit">{t('quiz.create')}</button>
      </Form>
    </details>
  );
}
