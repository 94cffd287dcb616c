// Every job type with its typed payload; workers register one handler per name.
export type JobPayloads = {
  /** Removes uploads that stopped arriving long ago, with their spool files. */
  'cleanup-abandoned-uploads': Record<string, never>;
  /**
   * Probes an uploaded video or audio lecture and publishes its playable stage (or all of it when
   * there is no more), then queues the rest of its ladder. New lectures' first stages never wait
   * behind other lectures' ladders: the two have queues of their own.
   */
  'transcode-video': { mediaFileId: string };
  /** Completes the HLS ladder of a playable lecture, from what its playable stage published. */
  'complete-video-ladder': { mediaFileId: string };
  /** Closes and marks test attempts past their deadline (the student may have closed the browser). */
  'close-expired-attempts': Record<string, never>;
  /** Brings the report summaries up to now: counts a due moment has overtaken, changes a notification missed. */
  'refresh-reports': Record<string, never>;
  /** E-mails an overdue reminder to its instructor (only when SMTP is configured). */
  'send-reminder-email': { notificationId: string };
  /** Previews (or applies) an admin's import of the registrar's files (server/admin/imports.ts). */
  'import-run': { runId: string; apply: boolean };
  /** E-mails a person a new one-time sign-in link (only when SMTP is configured). */
  'send-sign-in-link': { userId: string; createdBy: string | null };
  /** Deletes the stored objects of what was removed longer ago than the retention period (daily). */
  'purge-removed': Record<string, never>;
  /** Tells students of deadlines within a day they have not met yet (every few minutes). */
  'tell-deadlines': Record<string, never>;
  /** E-mails notices to those who want them at once (every few minutes; only when SMTP is configured). */
  'mail-notices-now': Record<string, never>;
  /** E-mails the daily digest of notices (the morning's runs; only when SMTP is configured). */
  'mail-notices-daily': Record<string, never>;
};
export type JobName = keyof JobPayloads;

export const jobNames = [
  'cleanup-abandoned-uploads',
  'transcode-video',
  'complete-video-ladder',
  'close-expired-attempts',
  'refresh-reports',
  'send-reminder-email',
  'import-run',
  'send-sign-in-link',
  'purge-removed',
  'tell-deadlines',
  'mail-notices-now',
  'mail-notices-daily',
] as const satisfies readonly JobName[];
