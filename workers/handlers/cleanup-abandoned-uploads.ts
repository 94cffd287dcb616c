// Job handler: removes uploads nobody has continued for UPLOAD_ABANDON_HOURS, spool files included.
import type { JobHandler } from '../../server/jobs/job-queue.ts';
import type { Services } from '../../server/services.ts';
import { removeAbandonedUploads } from '../../server/uploads/spool-sweep.ts';

export function cleanupAbandonedUploads(services: Services): JobHandler<'cleanup-abandoned-uploads'> {
  return async () => {
    const removed = await removeAbandonedUploads(
      { db: services.db, spoolDir: services.config.spoolDir },
      services.config.abandonedUploadMs,
    );
    if (removed > 0) services.logger.info('abandoned uploads removed', { removed });
  };
}
