// Job handler: previews or applies an admin's import (server/admin/imports.ts), one at a time per
// database (the import's own lock), with its progress in the run's row.
import { runImportJob } from '../../server/admin/imports.ts';
import type { JobHandler } from '../../server/jobs/job-queue.ts';
import type { Services } from '../../server/services.ts';

export function importRun(services: Services): JobHandler<'import-run'> {
  return (payload) => runImportJob({ db: services.db, storage: services.storage, logger: services.logger, workDir: services.config.media.workDir }, payload);
}
