// One's own account: change the password (the other sessions end), how notifications come by e-mail,
// the private calendar address, the open sessions, and signing out everywhere.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, useActionData, useLoaderData, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { changePassword, endSessions, ownSessions, type SessionView } from '../../server/auth/account.ts';
import { passwordAllowed } from '../../server/auth/password-login.ts';
import { passwordLimits } from '../../server/common/password-rules.ts';
import { clearSessionCookie, readSessionToken } from '../../server/auth/sessions.ts';
import { currentTerm, defaultTimeZone } from '../../server/cabinets/term.ts';
import { FormError, type Refusal } from '../components/form-error.tsx';
import { formatTimestamp } from '../../server/common/format.ts';
import { PasswordOff, type SsoOffer } from '../components/sso-button.tsx';
import { titled } from '../components/page-title.ts';
import { formResult, isSecure, publicOriginOf, readForm, requireUser, ssoOffer } from '../guards.server.ts';
import { calendarFeedSince, createCalendarFeed, revokeCalendarFeed } from '../../server/notices/calendar.ts';
import { notifyEmailOf, setNotifyEmail } from '../../server/notices/notices.ts';
import { CalendarPanel, NotifyPanel } from '../components/account-notices.tsx';

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const { db, passwords } = context.services;
  const [sessions, term, passwordUsable, notifyEmail, calendarSince] = await Promise.all([
    ownSessions(db, user.id, readSessionToken(request.headers.get('cookie'))),
    currentTerm(db),
    passwordAllowed(db, user.id, passwords.policy),
    notifyEmailOf(db, user.id),
    calendarFeedSince(db, user.id),
  ]);
  return {
    email: user.email,
    sessions,
    timeZone: term?.timeZone ?? defaultTimeZone,
    passwordUsable,
    sso: ssoOffer(context),
    notifyEmail,
    mailOn: context.services.config.mail !== undefined,
    calendarSince,
  };
}

export const meta = titled('account.title');

const intentSchema = z.discriminatedUnion('intent', [
  z.object({
    intent: z.literal('password'),
    current: z.string().max(1024),
    next: z.string().max(1024),
    confirm: z.string().max(1024),
  }),
  z.object({ intent: z.enum(['end-others', 'end-all']) }),
  z.object({ intent: z.literal('notify-email'), choice: z.enum(['immediately', 'daily', 'never']) }),
  z.object({ intent: z.enum(['calendar-create', 'calendar-revoke']) }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const actor = { user, ip: context.clientIp };
  const token = readSessionToken(request.headers.get('cookie'));
  const { db, passwords } = context.services;
  const outcome = await formResult(async () => {
    const input = await readForm(request, intentSchema);
    if (input.intent === 'password') {
      if (input.next !== input.confirm)
        throw Response.json({ messageKey: 'signIn.mismatch', params: {} }, { status: 400 });
      await changePassword(db, passwords, actor, { current: input.current, next: input.next, currentToken: token });
      return { done: 'password' as const };
    }
    if (input.intent === 'notify-email') {
      await setNotifyEmail(db, actor, input.choice);
      return { done: input.intent };
    }
    if (input.intent === 'calendar-create') {
      const feed = await createCalendarFeed(db, actor);
      return { done: input.intent, calendar: `${publicOriginOf(request, context)}/calendar/${feed}.ics` };
    }
    if (input.intent === 'calendar-revoke') {
      await revokeCalendarFeed(db, actor);
      return { done: input.intent };
    }
    await endSessions(db, actor, input.intent === 'end-others' ? token : null);
    return { done: input.intent };
  }, [400, 403, 429]);
  if ('result' in outcome && outcome.result?.done === 'end-all') {
    throw redirect('/login', { headers: { 'Set-Cookie': clearSessionCookie({ secure: isSecure(request, context) }) } });
  }
  return outcome;
}

/** Changing one's password (the other sessions end), or, without a usable one, where one signs in instead. */
function PasswordPanel({
  email,
  usable,
  sso,
  changed,
  error,
  busy,
}: {
  email: string;
  usable: boolean;
  sso: SsoOffer;
  changed: boolean;
  error: Refusal | null;
  busy: boolean;
}) {
  const { t } = useTranslation();
  return (
    <section className="panel">
      <h2>{t('account.changePassword')}</h2>
      {changed ? (
        <p className="notice" role="status" data-testid="password-changed">
          {t('account.passwordChanged')}
        </p>
      ) : null}
      {usable ? (
        <Form method="post" className="form-grid" data-testid="change-password">
          <input type="hidden" name="username" autoComplete="username" value={email} />
          <label>
            {t('account.current')}
            <input
              name="current"
              type="password"
              autoComplete="current-password"
              required
              maxLength={passwordLimits.max}
            />
          </label>
          <label>
            {t('signIn.newPassword', { count: passwordLimits.min })}
            <input
              name="next"
              type="password"
              autoComplete="new-password"
              required
              minLength={passwordLimits.min}
              maxLength={passwordLimits.max}
            />
          </label>
          <label>
            {t('signIn.confirm')}
            <input
              name="confirm"
              type="password"
              autoComplete="new-password"
              required
              minLength={passwordLimits.min}
              maxLength={passwordLimits.max}
            />
          </label>
          <FormError error={error} />
          <button type="submit" name="intent" value="password" disabled={busy}>
            {t('account.changePassword')}
          </button>
        </Form>
      ) : (
        <PasswordOff sso={sso} />
      )}
    </section>
  );
}

/** One's open sessions (this device marked), and ending the others or all of them. */
function SessionsPanel({
  sessions,
  timeZone,
  othersEnded,
  busy,
}: {
  sessions: SessionView[];
  timeZone: string;
  othersEnded: boolean;
  busy: boolean;
}) {
  const { t } = useTranslation();
  return (
    <section className="panel">
      <h2>{t('account.sessions')}</h2>
      {othersEnded ? (
        <p className="notice" role="status">
          {t('account.othersEnded')}
        </p>
      ) : null}
      <ul className="plain" data-testid="sessions">
        {sessions.map((session) => (
          <li key={session.id}>
            <span className="break">
              {session.userAgent ?? '—'}{' '}
              {session.current ? <span className="badge current">{t('account.thisDevice')}</span> : null}
              <br />
              <span className="muted small">
                {session.ip ?? '—'} · {t('account.lastSeen', { at: formatTimestamp(session.lastSeenAt, timeZone) })}
              </span>
            </span>
          </li>
        ))}
      </ul>
      <Form method="post" className="actions">
        <button type="submit" name="intent" value="end-others" className="secondary" disabled={busy}>
          {t('account.endOthers')}
        </button>
        <button type="submit" name="intent" value="end-all" className="danger" disabled={busy}>
          {t('account.endAll')}
        </button>
      </Form>
    </section>
  );
}

export default function Account() {
  const { t } = useTranslation();
  const { email, sessions, timeZone, passwordUsable, sso, notifyEmail, mailOn, calendarSince } =
    useLoaderData<typeof loader>();
  const outcome = useActionData<typeof action>();
  const busy = useNavigation().state !== 'idle';
  const done = outcome && 'result' in outcome ? outcome.result?.done : null;
  const error = outcome && 'error' in outcome ? outcome.error : null;
  return (
    <section>
      <h1>{t('account.title')}</h1>
      <p className="muted">{email}</p>
      <PasswordPanel
        email={email}
        usable={passwordUsable}
        sso={sso}
        changed={done === 'password'}
        error={error}
        busy={busy}
      />
      <NotifyPanel choice={notifyEmail} mailOn={mailOn} saved={done === 'notify-email'} busy={busy} />
      <CalendarPanel
        since={calendarSince}
        address={
          outcome && 'result' in outcome && outcome.result && 'calendar' in outcome.result
            ? (outcome.result.calendar ?? null)
            : null
        }
        revoked={done === 'calendar-revoke'}
        timeZone={timeZone}
        busy={busy}
      />
      <SessionsPanel sessions={sessions} timeZone={timeZone} othersEnded={done === 'end-others'} busy={busy} />
    </section>
  );
}
