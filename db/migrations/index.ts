// The explicit, ordered list of migrations (no directory scanning: it works the same in a bundle).
import type { Migration } from 'kysely/migration';
import * as foundation from './2026-11-26T0700-foundation.ts';
import * as video from './2026-11-26T1200-video.ts';
import * as playback from './2026-11-26T1500-playback.ts';
import * as assignments from './2026-11-26T1700-assignments.ts';
import * as questionBank from './2026-11-26T1900-question-bank.ts';
import * as onlineTests from './2026-11-26T2100-online-tests.ts';
import * as reuse from './2026-11-26T2300-reuse.ts';
import * as slotDelivery from './2026-11-26T2330-slot-delivery.ts';
import * as reportSummaries from './2026-11-26T2345-report-summaries.ts';
import * as notifications from './2026-11-27T0100-notifications.ts';
import * as reportRebuild from './2026-11-27T0200-report-rebuild.ts';
import * as reportIndexes from './2026-11-27T0300-report-indexes.ts';
import * as reportJob from './2026-11-27T0400-report-job.ts';
import * as administration from './2026-11-29T1000-administration.ts';
import * as loginThrottle from './2026-11-29T2300-login-throttle.ts';
import * as singleSignOn from './2026-11-29T2330-single-sign-on.ts';
import * as importInvitations from './2026-11-29T2345-import-invitations.ts';
import * as submissionFileCrc from './2026-11-30T0200-submission-file-crc.ts';
import * as videoStates from './2026-11-30T0600-video-states.ts';
import * as uploadLease from './2026-11-30T0700-upload-lease.ts';
import * as videoStages from './2026-11-30T0800-video-stages.ts';
import * as reportEngineSql from './2026-11-30T1000-report-engine-sql.ts';
import * as removal from './2026-11-30T1200-removal.ts';
import * as questionWeights from './2026-11-30T1300-question-weights.ts';
import * as removalFixes from './2026-11-30T1400-removal-fixes.ts';
import * as studentNotices from './2026-11-30T1500-student-notices.ts';
import * as deadlineIndexes from './2026-11-30T1600-deadline-indexes.ts';

export const migrations: Record<string, Migration> = {
  '2026-11-26T0700-foundation': foundation,
  '2026-11-26T1200-video': video,
  '2026-11-26T1500-playback': playback,
  '2026-11-26T1700-assignments': assignments,
  '2026-11-26T1900-question-bank': questionBank,
  '2026-11-26T2100-online-tests': onlineTests,
  '2026-11-26T2300-reuse': reuse,
  '2026-11-26T2330-slot-delivery': slotDelivery,
  '2026-11-26T2345-report-summaries': reportSummaries,
  '2026-11-27T0100-notifications': notifications,
  '2026-11-27T0200-report-rebuild': reportRebuild,
  '2026-11-27T0300-report-indexes': reportIndexes,
  '2026-11-27T0400-report-job': reportJob,
  '2026-11-29T1000-administration': administration,
  '2026-11-29T2300-login-throttle': loginThrottle,
  '2026-11-29T2330-single-sign-on': singleSignOn,
  '2026-11-29T2345-import-invitations': importInvitations,
  '2026-11-30T0200-submission-file-crc': submissionFileCrc,
  '2026-11-30T0600-video-states': videoStates,
  '2026-11-30T0700-upload-lease': uploadLease,
  '2026-11-30T0800-video-stages': videoStages,
  '2026-11-30T1000-report-engine-sql': reportEngineSql,
  '2026-11-30T1200-removal': removal,
  '2026-11-30T1300-question-weights': questionWeights,
  '2026-11-30T1400-removal-fixes': removalFixes,
  '2026-11-30T1500-student-notices': studentNotices,
  '2026-11-30T1600-deadline-indexes': deadlineIndexes,
};
