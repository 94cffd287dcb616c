// What the two transcode queues do for one lecture, run here in order: its playable stage, then
// the rest of its ladder (a job the first one queued; the worker runs both in tests that start one).
import type { Services } from '../../server/services.ts';
import { completeVideoLadder, transcodeVideo } from '../../workers/handlers/transcode-video.ts';

export async function processLecture(services: Services, mediaFileId: string): Promise<void> {
  const job = { id: 'test', retryCount: 0, retryLimit: 20, signal: new AbortController().signal };
  await transcodeVideo(services)({ mediaFileId }, job);
  await completeVideoLadder(services)({ mediaFileId }, job);
}
