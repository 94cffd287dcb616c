// The e-mail copy of notices, per the person's choice: every few minutes for "immediately", once a
// morning for "daily" (the default; the morning's runs share out a large university's digests, one
// per person a day), never for "never". One e-mail per person lists what is new.
// A person's notices are claimed (`mailed_at` set) before the send and given back if it fails, so two
// workers never send the same notice and a mail server away loses nothing (the job is retried).
import nodemailer from 'nodemailer';
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Locale, NotifyEmail } from '../../db/schema.ts';
import { currentTerm, defaultTimeZone } from '../cabinets/term.ts';
import { translatorFor } from '../i18n/i18n.ts';
import { noticeText } from '../common/notice-text.ts';
import { noticeView, visibleNotices, type NoticeView } from './notices.ts';

/** People e-mailed per run; the rest wait for the next run (a daily digest to 40,000 students spreads over runs). */
export const PEOPLE_PER_RUN = 2000;

type Mail = { url: string; from: string };

/** Marks as dealt with what people who want no e-mail were told (so that it never waits for a mailer). */
async function settleUnwanted(db: Db): Promise<void> {
  await sql`
    update notification n set mailed_at = now()
    from app_user u
    where u.id = n.user_id and n.mailed_at is null and n.kind <> 'overdue_reminder'
      and (u.notify_email = 'never' or u.disabled_at is not null)`.execute(db);
}

/**
 * Without a mail server, every notice is dealt with as it comes: an operator who sets SMTP_URL later
 * starts e-mails from then on, not with a backlog of everything told since the installation.
 */
export async function settleWithoutMail(db: Db): Promise<void> {
  await db
    .updateTable('notification')
    .set({ mailed_at: new Date() })
    .where('mailed_at', 'is', null)
    .where('kind', '<>', 'overdue_reminder')
    .execute();
}

/** Claims one person's notices not yet mailed; those of them still shown in the list (what it would mail). */
async function claim(db: Db, userId: string, locale: Locale) {
  const claimed = await db
    .updateTable('notification')
    .set({ mailed_at: new Date() })
    .where('user_id', '=', userId)
    .where('mailed_at', 'is', null)
    .where('kind', '<>', 'overdue_reminder')
    .returning('id')
    .execute();
  if (claimed.length === 0) return [];
  const shown = await visibleNotices(db, userId)
    .where(
      'n.id',
      'in',
      claimed.map((row) => row.id),
    )
    .select(['n.id', 'n.kind', 'n.created_at', 'n.read_at', 'n.data'])
    .orderBy('n.created_at')
    .execute();
  return shown.map((row) => noticeView(row, locale));
}

/** Who is due an e-mail of this kind now (some of them: a run mails at most PEOPLE_PER_RUN). */
function peopleDue(db: Db, when: Exclude<NotifyEmail, 'never'>) {
  return (
    db
      .selectFrom('app_user as u')
      .select(['u.id', 'u.email', 'u.locale'])
      .where('u.notify_email', '=', when)
      .where('u.disabled_at', 'is', null)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('notification as n')
            .select('n.id')
            .whereRef('n.user_id', '=', 'u.id')
            .where('n.mailed_at', 'is', null)
            .where('n.kind', '<>', 'overdue_reminder'),
        ),
      )
      // A digest a day: whoever had one in the last 20 hours waits for tomorrow's window.
      .$if(when === 'daily', (query) =>
        query.where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('notification as m')
                .select('m.id')
                .whereRef('m.user_id', '=', 'u.id')
                .where('m.mailed_at', '>', sql<Date>`now() - interval '20 hours'`)
                .where('m.kind', '<>', 'overdue_reminder'),
            ),
          ),
        ),
      )
      .limit(PEOPLE_PER_RUN)
      .execute()
  );
}

/** One person's e-mail: what they were told, one line each, and where to read more or choose less. */
function noticeEmail(notices: NoticeView[], locale: Locale, timeZone: string, publicOrigin: string | undefined) {
  const t = translatorFor(locale);
  const text = [
    t('notice.mailIntro'),
    '',
    ...notices.map((view) => `- ${noticeText(view, t, timeZone)}`),
    ...(publicOrigin ? ['', t('notice.mailLink', { url: `${publicOrigin}/notifications` })] : []),
    ...(publicOrigin ? [t('notice.mailSettings', { url: `${publicOrigin}/account` })] : []),
  ].join('\n');
  return { subject: t('notice.mailSubject', { count: notices.length }), text };
}

/**
 * E-mails everyone whose choice is `when` what they were told since the last e-mail; how many people
 * and notices went out.
 */
export async function mailNotices(
  db: Db,
  mail: Mail,
  when: Exclude<NotifyEmail, 'never'>,
  publicOrigin: string | undefined,
): Promise<{ people: number; notices: number }> {
  await settleUnwanted(db);
  const people = await peopleDue(db, when);
  if (people.length === 0) return { people: 0, notices: 0 };
  const timeZone = (await currentTerm(db))?.timeZone ?? defaultTimeZone;
  const transport = nodemailer.createTransport(mail.url);
  let sent = { people: 0, notices: 0 };
  try {
    for (const person of people) {
      const notices = await claim(db, person.id, person.locale);
      if (notices.length === 0) continue;
      const email = noticeEmail(notices, person.locale, timeZone, publicOrigin);
      try {
        await transport.sendMail({ from: mail.from, to: person.email, ...email });
      } catch (error) {
        // Given back: the next run (or the job's retry) sends them.
        const ids = notices.map((view) => view.id);
        await db.updateTable('notification').set({ mailed_at: null }).where('id', 'in', ids).execute();
        throw error;
      }
      sent = { people: sent.people + 1, notices: sent.notices + notices.length };
    }
  } finally {
    transport.close();
  }
  return sent;
}
