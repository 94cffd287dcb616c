import { Form, Link, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { DepartmentReport } from '../../../server/reports/department-report.ts';
import { FormError, type Refusal } from '../form-error.tsx';
import { LocalTime } from '../local-time.tsx';

/** What is overdue per instructor, with the head's reminder button. */
export function OverdueList({
  report,
  error,
  remindedId,
}: {
  report: DepartmentReport;
  error: Refusal | null;
  remindedId: string | null;
}) {
  const { t } = useTranslation();
  const busy = useNavigation().state !== 'idle';
  if (report.overdue.length === 0) return null;
  return (
    <section className="overdue" data-testid="overdue">
      <h2>{t('report.overdueTitle')}</h2>
      <FormError error={error} />
      {report.overdue.map((entry) => (
        <div key={entry.instructorId} className="overdue-instructor" data-testid="overdue-instructor">
          <h3>
            {entry.instructorName} <span className="muted">({entry.slots.length})</span>
          </h3>
          <ul>
            {entry.slots.map((slot) => (
              <li key={`${slot.cabinetId}-${slot.kind}-${slot.number}`}>
                <Link to={`/cabinets/${slot.cabinetId}`}>{slot.subjectCode}</Link> · {t(`slotKind.${slot.kind}`)}{' '}
                {slot.number} · <LocalTime iso={slot.dueAt} termZone={report.term.timeZone} />
              </li>
            ))}
          </ul>
          {report.canRemind ? (
            <Form method="post" className="no-print">
              <input type="hidden" name="intent" value="remind" />
              <input type="hidden" name="instructorId" value={entry.instructorId} />
              <button type="submit" disabled={busy} data-testid="remind">
                {t('report.remind')}
              </button>
              {remindedId === entry.instructorId ? (
                <span role="status" data-testid="reminded">
                  {' '}
                  {t('report.reminded')}
                </span>
              ) : null}
            </Form>
          ) : null}
        </div>
      ))}
    </section>
  );
}
