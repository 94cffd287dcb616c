// Every job type with its typed payload; workers register one handler per name.
export type JobPayloads = {
  /** Removes uploads that stopped arriving long ago, with their spool files. */
  'cleanup-abandoned-uploads': Record<string, never>;
  /** Probes and transcodes an uploaded video or audio lecture into HLS. */
  'transcode-video': { mediaFileId: string };
  /** Closes and marks test attempts past their deadline (the student may have closed the browser). */
  'close-expired-attempts': Record<string, never>;
};
export type JobName = keyof JobPayloads;

export const jobNames = ['cleanup-abandoned-uploads', 'transcode-video', 'close-expired-attempts'] as const satisfies readonly JobName[];
