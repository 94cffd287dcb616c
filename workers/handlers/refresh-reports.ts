// Job handler (every minute): brings the report summaries up to now. Most changes are picked up
// within a second by the listener (workers/report-listener.ts); this catches counts a due moment
// has overtaken and anything a listener missed while it was disconnected.
import type { JobHandler } from '../../server/jobs/job-queue.ts';
import type { Services } from '../../server/services.ts';
import { catchUp } from '../../server/reports/summaries.ts';

export function refreshReports(services: Services): JobHandler<'refresh-reports'> {
  return async () => {
    const refreshed = await catchUp(services.db);
    if (refreshed > 0) services.logger.debug('report summaries refreshed', { departments: refreshed });
  };
}
