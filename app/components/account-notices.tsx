// The account page's say in what one is told: how often notifications come by e-mail, and the
// private calendar address (shown once when made; making a new one or turning it off ends the old).
import { Form } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { NotifyEmail } from '../../db/schema.ts';
import { formatTimestamp } from '../../server/common/format.ts';

const choices = [
  ['immediately', 'account.notifyImmediately'],
  ['daily', 'account.notifyDaily'],
  ['never', 'account.notifyNever'],
] as const satisfies ReadonlyArray<readonly [NotifyEmail, string]>;

export function NotifyPanel({
  choice,
  mailOn,
  saved,
  busy,
}: {
  choice: NotifyEmail;
  mailOn: boolean;
  saved: boolean;
  busy: boolean;
}) {
  const { t } = useTranslation();
  return (
    <section className="panel">
      <h2>{t('account.notifyTitle')}</h2>
      {mailOn ? null : <p className="muted">{t('account.mailOff')}</p>}
      {saved ? (
        <p className="notice" role="status">
          {t('account.notifySaved')}
        </p>
      ) : null}
      <Form method="post" className="actions" data-testid="notify-email">
        <label>
          {t('account.notifyEmail')}{' '}
          <select name="choice" defaultValue={choice}>
            {choices.map(([value, key]) => (
              <option key={value} value={value}>
                {t(key)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" name="intent" value="notify-email" disabled={busy}>
          {t('account.notifySave')}
        </button>
      </Form>
    </section>
  );
}

export function CalendarPanel({
  since,
  address,
  revoked,
  timeZone,
  busy,
}: {
  /** When the working address was made, or null. */
  since: string | null;
  /** The address just made (shown this once). */
  address: string | null;
  revoked: boolean;
  timeZone: string;
  busy: boolean;
}) {
  const { t } = useTranslation();
  return (
    <section className="panel" data-testid="calendar">
      <h2>{t('account.calendarTitle')}</h2>
      <p>{t('account.calendarIntro')}</p>
      {revoked ? (
        <p className="notice" role="status">
          {t('account.calendarRevoked')}
        </p>
      ) : null}
      {address ? (
        <>
          <p role="status">{t('account.calendarNew')}</p>
          <p className="calendar-address" data-testid="calendar-address">
            {address}
          </p>
        </>
      ) : since ? (
        <p className="muted">{t('account.calendarSince', { date: formatTimestamp(since, timeZone) })}</p>
      ) : null}
      <Form method="post" className="actions">
        <button type="submit" name="intent" value="calendar-create" disabled={busy} data-testid="calendar-create">
          {since ? t('account.calendarRenew') : t('account.calendarCreate')}
        </button>
        {since ? (
          <button type="submit" name="intent" value="calendar-revoke" className="secondary" disabled={busy}>
            {t('account.calendarRevoke')}
          </button>
        ) : null}
      </Form>
    </section>
  );
}
