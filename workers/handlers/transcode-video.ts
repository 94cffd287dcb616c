// Job handler: a lecture video (or audio lecture) into HLS. Retries with backoff; after the last try it is marked failed.
import type { JobHandler } from '../../server/jobs/job-queue.ts';
import { markProcessingFailed, processVideo } from '../../server/media/process-video.ts';
import { metrics } from '../../server/metrics.ts';
import type { Services } from '../../server/services.ts';

export function transcodeVideo(services: Services): JobHandler<'transcode-video'> {
  return async ({ mediaFileId }, job) => {
    try {
      const outcome = await processVideo({ db: services.db, storage: services.storage, media: services.config.media }, mediaFileId, { signal: job.signal });
      services.logger.info('video processed', { mediaFileId, outcome });
      metrics.transcodes.inc({ outcome: 'ready' });
    } catch (error) {
      services.logger.warn('video processing failed', { mediaFileId, attempt: job.retryCount, error: String(error) });
      const last = job.retryCount >= job.retryLimit;
      metrics.transcodes.inc({ outcome: last ? 'failed' : 'retried' });
      if (last) await markProcessingFailed(services.db, mediaFileId);
      throw error;
    }
  };
}
