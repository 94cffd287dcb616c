// One's notifications, newest first: new materials, assignments and tests, deadlines a day ahead,
// grades (and, for an instructor, a head's reminders). Opening one marks it read and goes where it
// leads; where is decided by the server from the notice itself.
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs } from '@remix-run/node';
import { Form, useLoaderData, useNavigation } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import { z } from 'zod';
import { currentTerm, defaultTimeZone } from '../../server/cabinets/term.ts';
import { listNotices, markAllRead, openNotice, type NoticeView } from '../../server/notices/notices.ts';
import { noticeText } from '../../server/common/notice-text.ts';
import { LocalTime } from '../components/local-time.tsx';
import { titled } from '../components/page-title.ts';
import { orRespond, readForm, requireUser } from '../guards.server.ts';

export const meta = titled('notifications.title');

export async function loader({ request, context }: LoaderFunctionArgs) {
  const user = await requireUser(request, context);
  const { db } = context.services;
  const [notices, term] = await Promise.all([listNotices(db, user), currentTerm(db)]);
  return { notices, timeZone: term?.timeZone ?? defaultTimeZone };
}

const intentSchema = z.discriminatedUnion('intent', [
  z.object({ intent: z.literal('open'), notificationId: z.string().max(64) }),
  z.object({ intent: z.literal('mark-all') }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const user = await requireUser(request, context);
  const { db } = context.services;
  const input = await readForm(request, intentSchema);
  if (input.intent === 'mark-all') {
    await markAllRead(db, user);
    return null;
  }
  return redirect(await orRespond(() => openNotice(db, user, input.notificationId)));
}

function Notice({ view, timeZone }: { view: NoticeView; timeZone: string }) {
  const { t } = useTranslation();
  return (
    <li className={view.read ? undefined : 'unread'} data-testid="notice">
      {view.read ? null : <strong className="unread-count">{t('notifications.unread')}</strong>}
      <Form method="post">
        <input type="hidden" name="notificationId" value={view.id} />
        <button type="submit" name="intent" value="open" className="link-button" data-testid="open-notice">
          {noticeText(view, t, timeZone)}
        </button>
      </Form>
      <span className="muted">
        <LocalTime iso={view.createdAt} termZone={timeZone} />
      </span>
    </li>
  );
}

export default function Notifications() {
  const { notices, timeZone } = useLoaderData<typeof loader>();
  const { t } = useTranslation();
  const busy = useNavigation().state !== 'idle';
  return (
    <section className="notifications-page">
      <h1>{t('notifications.title')}</h1>
      {notices.length === 0 ? <p data-testid="no-notices">{t('notifications.empty')}</p> : null}
      {notices.some((view) => !view.read) ? (
        <Form method="post">
          <button type="submit" name="intent" value="mark-all" disabled={busy} data-testid="mark-all-read">
            {t('notifications.markAll')}
          </button>
        </Form>
      ) : null}
      <ul className="notice-list">
        {notices.map((view) => (
          <Notice key={view.id} view={view} timeZone={timeZone} />
        ))}
      </ul>
    </section>
  );
}
