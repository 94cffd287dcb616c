// Job handler: a lecture video (or audio lecture) into HLS. Retries with backoff; after the last try it is marked failed.
import type { JobHandler } from '../../server/jobs/job-queue.ts';
import { markProcessingFailed, processVideo } from '../../server/media/process-video.ts';
import type { Services } from '../../server/services.ts';

export function transcodeVideo(services: Services): JobHandler<'transcode-video'> {
  return async ({ mediaFileId }, job) => {
    try {
      const outcome = await processVideo({ db: services.db, storage: services.storage, media: services.config.media }, mediaFileId, { signal: job.signal });
      services.logger.info('video processed', { mediaFileId, outcome });
    } catch (error) {
      services.logger.warn('video processing failed', { mediaFileId, attempt: job.retryCount, error: String(error) });
      if (job.retryCount >= job.retryLimit) await markProcessingFailed(services.db, mediaFileId);
      throw error;
    }
  };
}
