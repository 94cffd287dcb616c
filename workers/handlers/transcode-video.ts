// Job handlers: a lecture video (or audio lecture) into HLS, its playable stage and the rest of its
// ladder as jobs of two queues (decision 032). Two retry budgets: the video's own failures (a
// source ffmpeg chokes on, a stored original gone) end it `failed` at the third; the
// infrastructure's (database or storage unreachable past the handler's patience, a worker killed)
// use the queue's retries, which are many and spaced out, so that blips never fail a lecture.
import type { JobHandler } from '../../server/jobs/job-queue.ts';
import { infrastructureError } from '../../server/errors.ts';
import { throughOutages } from '../../server/jobs/outages.ts';
import { processVideo, type VideoStage } from '../../server/media/process-video.ts';
import { countOwnFailure, failProcessing, OWN_FAILURE_LIMIT } from '../../server/media/video-state.ts';
import { metrics } from '../../server/metrics.ts';
import type { Services } from '../../server/services.ts';

function handleStage(services: Services, stage: VideoStage): JobHandler<'transcode-video' | 'complete-video-ladder'> {
  return async ({ mediaFileId }, job) => {
    try {
      const deps = { db: services.db, storage: services.storage, media: services.config.media, queue: services.queue };
      const outcome = await processVideo(deps, mediaFileId, stage, { signal: job.signal });
      services.logger.info('video processed', { mediaFileId, stage, outcome });
      if (outcome !== 'already-ready' && outcome !== 'gone')
        metrics.transcodes.inc({ outcome: outcome === 'refused' ? 'failed' : outcome });
    } catch (error) {
      // Stopped (the worker shuts down, or its claim on the job went away): nobody's fault.
      const own = !job.signal.aborted && infrastructureError(error) === null;
      const failures = own ? await throughOutages(() => countOwnFailure(services.db, mediaFileId)) : 0;
      const last = failures >= OWN_FAILURE_LIMIT || job.retryCount >= job.retryLimit;
      services.logger.warn('video processing failed', {
        mediaFileId,
        stage,
        own,
        failures,
        attempt: job.retryCount,
        last,
        error: String(error),
      });
      metrics.transcodes.inc({ outcome: last ? 'failed' : 'retried' });
      if (!last) throw error;
      await throughOutages(() => failProcessing(services.db, mediaFileId));
    }
  };
}

/** The first stage: probe, then something playable (or everything, when that is all there is). */
export const transcodeVideo = (services: Services): JobHandler<'transcode-video'> => handleStage(services, 'playable');

/** The rest of a playable lecture's ladder. */
export const completeVideoLadder = (services: Services): JobHandler<'complete-video-ladder'> =>
  handleStage(services, 'ladder');
