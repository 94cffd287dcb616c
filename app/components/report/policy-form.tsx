import { Form, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { SlotPolicy } from '../../../db/schema.ts';
import type { ReplanResult } from '../../../server/reports/policy.ts';

/** The head changes the department's slot policy; every cabinet of the term is re-planned. */
export function PolicyForm({ policy, replanned }: { policy: SlotPolicy; replanned: ReplanResult | null }) {
  const { t } = useTranslation();
  const busy = useNavigation().state !== 'idle';
  return (
    <details className="policy no-print" open={Boolean(replanned)}>
      <summary>{t('policy.title')}</summary>
      <Form method="post" className="stacked" data-testid="policy-form">
        <input type="hidden" name="intent" value="policy" />
        <label>
          {t('policy.lectureHours')}{' '}
          <input
            type="number"
            name="lectureHoursPerVideo"
            min={1}
            max={10}
            defaultValue={policy.lectureHoursPerVideo}
            required
          />
        </label>
        <label>
          {t('policy.practicalHours')}{' '}
          <input
            type="number"
            name="practicalHoursPerMaterial"
            min={1}
            max={10}
            defaultValue={policy.practicalHoursPerMaterial}
            required
          />
        </label>
        <label>
          {t('policy.assessmentWeeks')}{' '}
          <input name="assessmentWeeks" defaultValue={policy.assessmentWeeks.join(', ')} />
        </label>
        <button type="submit" disabled={busy}>
          {t('policy.save')}
        </button>
        {replanned ? (
          <p role="status" data-testid="replanned">
            {t('policy.done', replanned)}
          </p>
        ) : null}
      </Form>
    </details>
  );
}
