// Job handler (every minute): closes and marks test attempts whose time ran out, so a student who
// closed the browser mid-test gets the score of the answers they had saved.
import type { JobHandler } from '../../server/jobs/job-queue.ts';
import type { Services } from '../../server/services.ts';
import { closeExpiredAttempts } from '../../server/quizzes/attempts.ts';

export function closeExpiredTestAttempts(services: Services): JobHandler<'close-expired-attempts'> {
  return async () => {
    const closed = await closeExpiredAttempts(services.db);
    if (closed > 0) services.logger.info('expired test attempts closed', { closed });
  };
}
