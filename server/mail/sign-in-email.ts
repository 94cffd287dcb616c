// A one-time sign-in link by e-mail, in the person's language. The link is made by the job itself,
// so its token exists only in the e-mail (never in the queue's table).
import nodemailer from 'nodemailer';
import type { Db } from '../../db/client.ts';
import { createSignInLink, signInLinkTtlMs, signInUrl } from '../auth/sign-in-links.ts';
import { translatorFor } from '../i18n/i18n.ts';

export async function sendSignInLinkEmail(
  db: Db,
  mail: { url: string; from: string },
  input: { userId: string; createdBy: string | null },
  origin: string,
): Promise<boolean> {
  const person = await db
    .selectFrom('app_user')
    .select(['email', 'full_name', 'locale', 'disabled_at'])
    .where('id', '=', input.userId)
    .executeTakeFirst();
  if (!person || person.disabled_at) return false;
  const token = await createSignInLink(db, { userId: input.userId, createdBy: input.createdBy, ip: null });
  const t = translatorFor(person.locale);
  const transport = nodemailer.createTransport(mail.url);
  try {
    await transport.sendMail({
      from: mail.from,
      to: person.email,
      subject: t('signIn.mailSubject'),
      text: t('signIn.mailText', {
        name: person.full_name,
        url: signInUrl(origin, token),
        hours: signInLinkTtlMs / 3_600_000,
      }),
    });
  } finally {
    transport.close();
  }
  return true;
}
