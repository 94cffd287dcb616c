// Job handler: e-mails a person a new one-time sign-in link (enqueued only when SMTP is configured).
import type { JobHandler } from '../../server/jobs/job-queue.ts';
import { sendSignInLinkEmail } from '../../server/mail/sign-in-email.ts';
import type { Services } from '../../server/services.ts';

export function sendSignInLinks(services: Services): JobHandler<'send-sign-in-link'> {
  return async (payload) => {
    const { mail, publicOrigin, port } = services.config;
    if (!mail)
      return services.logger.warn('sign-in link e-mail skipped: SMTP_URL is not set', { userId: payload.userId });
    if (await sendSignInLinkEmail(services.db, mail, payload, publicOrigin ?? `http://localhost:${port}`))
      services.logger.info('sign-in link e-mailed', { userId: payload.userId });
  };
}
