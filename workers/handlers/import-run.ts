// Job handler: previews or applies an admin's import (server/admin/imports.ts), one at a time per
// database (the import's own lock), with its progress in the run's row. A delivery after a failed
// one (the worker died mid-run) is not run again: the run is marked failed and the admin uploads
// the file again, so a file that kills a worker cannot do it over and over.
import { failImportRun, runImportJob } from '../../server/admin/imports.ts';
import type { JobHandler } from '../../server/jobs/job-queue.ts';
import type { Services } from '../../server/services.ts';

export function importRun(services: Services): JobHandler<'import-run'> {
  return async (payload, job) => {
    if (job.retryCount > 0) return failImportRun(services.db, payload.runId);
    const invitations = services.config.mail ? { queue: services.queue, policy: services.passwords.policy } : undefined;
    await runImportJob(
      {
        db: services.db,
        storage: services.storage,
        logger: services.logger,
        workDir: services.config.media.workDir,
        invitations,
      },
      payload,
    );
  };
}
