// An overdue reminder as an e-mail, in the instructor's language, sent over SMTP (nodemailer) when
// SMTP_URL is configured. The in-app notification is the record; the e-mail is its copy, sent by a
// job enqueued in the same transaction, so it goes out once the reminder exists and is retried if
// the mail server is away.
import nodemailer from 'nodemailer';
import type { Db } from '../../db/client.ts';
import type { Locale } from '../../db/schema.ts';
import { currentTerm } from '../cabinets/term.ts';
import { translatorFor } from '../i18n/i18n.ts';
import type { OverdueReminder } from '../reports/reminders.ts';

export type Email = { to: string; subject: string; text: string };

/** The reminder's text: who sends it, then one line per overdue slot with its due date in the term's zone. */
export function reminderEmail(
  to: string,
  locale: Locale,
  reminder: OverdueReminder,
  options: { timeZone: string; url: string | undefined },
): Email {
  const t = translatorFor(locale);
  const due = new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : locale, {
    dateStyle: 'medium',
    timeZone: options.timeZone,
  });
  const lines = reminder.slots.map((slot) =>
    t('report.mailSlot', {
      subject: `${slot.subjectCode} ${slot.subjectName}`,
      kind: t(`slotKind.${slot.kind}`),
      number: slot.number,
      due: due.format(new Date(slot.dueAt)),
    }),
  );
  return {
    to,
    subject: t('report.mailSubject', { department: reminder.departmentName }),
    text: [
      t('report.mailIntro', { sender: reminder.senderName, department: reminder.departmentName }),
      '',
      ...lines.map((line) => `- ${line}`),
      ...(options.url ? ['', t('report.mailLink', { url: options.url })] : []),
    ].join('\n'),
  };
}

/** Sends the e-mail copy of one reminder notification; nothing when its instructor has no working account. */
export async function sendReminderEmail(
  db: Db,
  mail: { url: string; from: string },
  notificationId: string,
  publicOrigin: string | undefined,
): Promise<boolean> {
  const row = await db
    .selectFrom('notification')
    .innerJoin('app_user', 'app_user.id', 'notification.user_id')
    .select(['notification.data', 'app_user.email', 'app_user.locale', 'app_user.disabled_at'])
    .where('notification.id', '=', notificationId)
    .executeTakeFirst();
  if (!row || row.disabled_at) return false;
  const term = await currentTerm(db);
  const email = reminderEmail(row.email, row.locale, row.data as OverdueReminder, {
    timeZone: term?.timeZone ?? 'Asia/Bishkek',
    url: publicOrigin,
  });
  const transport = nodemailer.createTransport(mail.url);
  try {
    await transport.sendMail({ from: mail.from, ...email });
  } finally {
    transport.close();
  }
  return true;
}
