// Job handler: a lecture video (or audio lecture) into HLS. Two retry budgets: the video's own
// failures (a source ffmpeg chokes on, a stored original gone) end it `failed` at the third; the
// infrastructure's (database or storage unreachable past the handler's patience, a worker killed)
// use the queue's retries, which are many and spaced out, so that blips never fail a lecture.
import type { JobHandler } from '../../server/jobs/job-queue.ts';
import { infrastructureError } from '../../server/errors.ts';
import { processVideo } from '../../server/media/process-video.ts';
import { countOwnFailure, failProcessing, OWN_FAILURE_LIMIT } from '../../server/media/video-state.ts';
import { metrics } from '../../server/metrics.ts';
import type { Services } from '../../server/services.ts';

export function transcodeVideo(services: Services): JobHandler<'transcode-video'> {
  return async ({ mediaFileId }, job) => {
    try {
      const outcome = await processVideo({ db: services.db, storage: services.storage, media: services.config.media }, mediaFileId, { signal: job.signal });
      services.logger.info('video processed', { mediaFileId, outcome });
      metrics.transcodes.inc({ outcome: outcome === 'refused' ? 'failed' : 'ready' });
    } catch (error) {
      // Stopped (the worker shuts down, or its claim on the job went away): nobody's fault.
      const own = !job.signal.aborted && infrastructureError(error) === null;
      const failures = own ? await countOwnFailure(services.db, mediaFileId) : 0;
      const last = failures >= OWN_FAILURE_LIMIT || job.retryCount >= job.retryLimit;
      services.logger.warn('video processing failed', { mediaFileId, own, failures, attempt: job.retryCount, last, error: String(error) });
      metrics.transcodes.inc({ outcome: last ? 'failed' : 'retried' });
      if (!last) throw error;
      await failProcessing(services.db, mediaFileId);
    }
  };
}
