// Job handler: e-mails an overdue reminder to its instructor (enqueued only when SMTP is configured;
// a failed send is retried by the queue).
import type { JobHandler } from '../../server/jobs/job-queue.ts';
import { sendReminderEmail } from '../../server/mail/reminder-email.ts';
import type { Services } from '../../server/services.ts';

export function sendReminderEmails(services: Services): JobHandler<'send-reminder-email'> {
  return async ({ notificationId }) => {
    const { mail, publicOrigin } = services.config;
    if (!mail) return services.logger.warn('reminder e-mail skipped: SMTP_URL is not set', { notificationId });
    if (await sendReminderEmail(services.db, mail, notificationId, publicOrigin))
      services.logger.info('reminder e-mailed', { notificationId });
  };
}
