// Registers one handler per job type with the queue; shared by the standalone worker and `npm start`.
import type { JobHandler } from '../server/jobs/job-queue.ts';
import type { JobName } from '../server/jobs/job-types.ts';
import type { Services } from '../server/services.ts';
import { cleanupAbandonedUploads } from './handlers/cleanup-abandoned-uploads.ts';
import { importRun } from './handlers/import-run.ts';
import { sendSignInLinks } from './handlers/send-sign-in-link.ts';
import { closeExpiredTestAttempts } from './handlers/close-expired-attempts.ts';
import { refreshReports } from './handlers/refresh-reports.ts';
import { sendReminderEmails } from './handlers/send-reminder-email.ts';
import { completeVideoLadder, transcodeVideo } from './handlers/transcode-video.ts';
import { listenForReportChanges } from './report-listener.ts';
import { purgeRemovedFiles } from './handlers/purge-removed.ts';
import { mailNotices, tellDeadlinesJob } from './handlers/notices.ts';

type HandlerFactory<N extends JobName> = (services: Services) => JobHandler<N>;

/**
 * Every job type must be named here (a missing one is a type error). `null` means no worker handles
 * it yet: such jobs wait in the queue until a version that handles them starts.
 */
const handlers: { [N in JobName]: HandlerFactory<N> | null } = {
  'cleanup-abandoned-uploads': cleanupAbandonedUploads,
  'transcode-video': transcodeVideo,
  'complete-video-ladder': completeVideoLadder,
  'close-expired-attempts': closeExpiredTestAttempts,
  'refresh-reports': refreshReports,
  'send-reminder-email': sendReminderEmails,
  'import-run': importRun,
  'send-sign-in-link': sendSignInLinks,
  'purge-removed': purgeRemovedFiles,
  'tell-deadlines': tellDeadlinesJob,
  'mail-notices-now': mailNotices('immediately'),
  'mail-notices-daily': mailNotices('daily'),
};

/**
 * Jobs of a queue a worker runs at once. Lectures' first stages get twice the slots: one that
 * encodes a long lecture's first rendition (growing, playable already) must not keep the next
 * lecture from its first seconds (decision 032).
 */
const concurrencyOf = (name: JobName, configured: number) => (name === 'transcode-video' ? 2 * configured : configured);

export async function startWorkers(services: Services): Promise<void> {
  for (const name of Object.keys(handlers) as JobName[]) {
    const factory = handlers[name] as HandlerFactory<typeof name> | null;
    if (factory)
      await services.queue.work(
        name,
        { concurrency: concurrencyOf(name, services.config.workerConcurrency) },
        factory(services),
      );
  }
  // Every few minutes: an abandoned upload should not hold a person's quota or disk for an hour.
  await services.queue.schedule('cleanup-abandoned-uploads', '*/5 * * * *', {});
  await services.queue.schedule('close-expired-attempts', '* * * * *', {});
  await services.queue.schedule('refresh-reports', '* * * * *', {});
  // Daily, at night: what was removed past its retention loses its stored objects.
  await services.queue.schedule('purge-removed', '17 3 * * *', {});
  // Students are told: deadlines a day ahead, e-mails at once for some, a morning digest for most
  // (02:00–05:59 UTC is 08:00–11:59 in Bishkek; each run mails a share of a large university).
  await services.queue.schedule('tell-deadlines', '*/10 * * * *', {});
  await services.queue.schedule('mail-notices-now', '*/5 * * * *', {});
  await services.queue.schedule('mail-notices-daily', '*/10 2-5 * * *', {});
  const listener = await listenForReportChanges(services);
  services.onClose(() => listener.stop());
}
