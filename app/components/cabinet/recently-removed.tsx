// What the instructor removed, restorable until the retention period ends; and the note an undoable
// action leaves ("removed: restore it below", "restored into its slot" or "among the extra items").
import { Form, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { RemovedEntry } from '../../../server/cabinets/removal.ts';
import { LocalTime } from '../local-time.tsx';

export function RecentlyRemoved({ entries, timeZone }: { entries: RemovedEntry[]; timeZone: string }) {
  const { t } = useTranslation();
  const busy = useNavigation().state === 'submitting';
  if (!entries.length) return null;
  return (
    <section className="week removed" id="recently-removed" data-testid="recently-removed">
      <h2>{t('removal.title')}</h2>
      <ul>
        {entries.map((entry) => (
          <li key={entry.id} data-testid="removed-entry" data-kind={entry.kind}>
            <strong>{entry.name}</strong>
            {entry.itemTitle ? <span className="muted"> · {entry.itemTitle}</span> : null}{' '}
            <span className="muted">
              {t('removal.until')} <LocalTime iso={entry.restorableUntil} termZone={timeZone} />
            </span>{' '}
            <Form method="post" className="inline-form">
              <input type="hidden" name={entry.kind === 'item' ? 'itemId' : 'fileId'} value={entry.id} />
              <button
                type="submit"
                name="intent"
                value={entry.kind === 'item' ? 'restore-item' : 'restore-file'}
                disabled={busy}
                data-testid="restore"
              >
                {t('removal.restore')}
              </button>
            </Form>
          </li>
        ))}
      </ul>
    </section>
  );
}

type Outcome = { removed: 'item' | 'file' } | { restored: 'slot' | 'extra' | 'file' };

/** The note after a removal or a restore. */
export function UndoNotice({ outcome }: { outcome: Outcome }) {
  const { t } = useTranslation();
  return (
    <p className="notice" role="status" data-testid="undo-notice">
      {'removed' in outcome ? (
        <>
          {t('removal.removed')} <a href="#recently-removed">{t('removal.title')}</a>
        </>
      ) : (
        t(`removal.restored.${outcome.restored}`)
      )}
    </p>
  );
}
