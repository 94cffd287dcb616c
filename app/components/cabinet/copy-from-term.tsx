import { Form, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { ReuseSource } from '../../../server/cabinets/reuse.ts';

/** Copy an earlier term's cabinet of the same subject: items into the same slots, files shared. */
export function CopyFromTerm({ sources }: { sources: ReuseSource[] }) {
  const { t } = useTranslation();
  const busy = useNavigation().state === 'submitting';
  return (
    <details className="copy-term">
      <summary>{t('reuse.title')}</summary>
      <Form method="post" className="inline-form" data-testid="copy-form">
        <input type="hidden" name="intent" value="copy-term" />
        <select name="sourceCabinetId" aria-label={t('reuse.title')}>
          {sources.map((source) => (
            <option key={source.cabinetId} value={source.cabinetId}>
              {t('term.label', { year: source.academicYear, semester: source.semester })} ·{' '}
              {t('reuse.counts', { items: source.items, questions: source.questions })}
            </option>
          ))}
        </select>{' '}
        <button type="submit" disabled={busy}>
          {t('reuse.copy')}
        </button>
        <p className="muted">{t('reuse.explain')}</p>
      </Form>
    </details>
  );
}
