// Every job type with its typed payload; workers register one handler per name.
export type JobPayloads = {
  /** Removes uploads that stopped arriving long ago, with their spool files. */
  'cleanup-abandoned-uploads': Record<string, never>;
  /** Probes and transcodes an uploaded video or audio lecture into HLS. */
  'transcode-video': { mediaFileId: string };
};
export type JobName = keyof JobPayloads;

export const jobNames = ['cleanup-abandoned-uploads', 'transcode-video'] as const satisfies readonly JobName[];
