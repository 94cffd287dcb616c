// Job handler: deletes the stored objects of what instructors removed more than REMOVED_RETENTION_DAYS ago.
import type { JobHandler } from '../../server/jobs/job-queue.ts';
import type { Services } from '../../server/services.ts';
import { purgeRemoved } from '../../server/cabinets/purge-removed.ts';

export function purgeRemovedFiles(services: Services): JobHandler<'purge-removed'> {
  return async () => {
    const purged = await purgeRemoved(services, services.config.removedRetentionMs);
    if (purged.files > 0) services.logger.info('removed files purged after their retention', purged);
  };
}
