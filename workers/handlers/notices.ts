// Job handlers of what students are told: deadline notices a day ahead, and the e-mail copies
// (while SMTP is not configured the notices stay in Kabinet and are settled, not kept for later).
import type { NotifyEmail } from '../../db/schema.ts';
import type { JobHandler } from '../../server/jobs/job-queue.ts';
import { mailNotices as mailNoticesOf, settleWithoutMail } from '../../server/notices/notice-mail.ts';
import { tellDeadlines } from '../../server/notices/notices.ts';
import type { Services } from '../../server/services.ts';

export function tellDeadlinesJob(services: Services): JobHandler<'tell-deadlines'> {
  return async () => {
    const told = await tellDeadlines(services.db);
    if (told > 0) services.logger.info('deadline notices', { told });
  };
}

export function mailNotices(when: Exclude<NotifyEmail, 'never'>) {
  return (services: Services): JobHandler<'mail-notices-now' | 'mail-notices-daily'> =>
    async () => {
      const { mail, publicOrigin } = services.config;
      if (!mail) return settleWithoutMail(services.db);
      const sent = await mailNoticesOf(services.db, mail, when, publicOrigin);
      if (sent.people > 0) services.logger.info('notices e-mailed', { when, ...sent });
    };
}
