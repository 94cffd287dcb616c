// What people do with a processed lecture: retry a failed one, attach captions, report and read
// watch progress. Every function asks the permission module first.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { CaptionLanguage, MediaFile } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { can, requirePermission, type Principal, type Actor } from '../auth/permissions.ts';
import { loadFileInCabinet, type FileInCabinet } from '../cabinets/items.ts';
import { AppError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import { isLocale } from '../i18n/i18n.ts';
import { toWebVtt } from './captions.ts';
import { retryFailed } from './video-state.ts';

/** Watched share of a lecture from which it counts as completed. */
export const COMPLETED_SHARE = 0.9;

/** A video or audio lecture with where it sits, or not_found. */
async function lecture(db: Db, fileId: string): Promise<FileInCabinet> {
  const found = await loadFileInCabinet(db, fileId);
  if (!found || (found.file.file_kind !== 'video' && found.file.file_kind !== 'audio')) throw new AppError('not_found');
  return found;
}

/**
 * "Retry" on a failed lecture, queued again in the transaction that resets it: one whose playable
 * stage was published is playable again at once while the retry completes its ladder.
 */
export async function retryProcessing(db: Db, queue: JobQueue, actor: Actor, fileId: string): Promise<void> {
  const { file, cabinet } = await lecture(db, fileId);
  requirePermission(actor.user, 'cabinet.edit', cabinet);
  if (file.processing_state !== 'failed') return; // a double click, or it already went through
  await db.transaction().execute(async (trx) => {
    const retried = await retryFailed(trx, fileId);
    if (!retried) return;
    const ladderOnly = retried.state === 'playable' && !retried.growing;
    await queue.enqueue(trx, ladderOnly ? 'complete-video-ladder' : 'transcode-video', { mediaFileId: fileId });
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'file.retry_processing',
      objectType: 'media_file',
      objectId: fileId,
      ip: actor.ip,
    });
  });
}

/** Attaches (or replaces) the captions of one language; SRT is converted, anything else refused. */
export async function setCaption(
  db: Db,
  actor: Actor,
  fileId: string,
  language: string,
  bytes: Uint8Array,
): Promise<void> {
  const { cabinet } = await lecture(db, fileId);
  requirePermission(actor.user, 'cabinet.edit', cabinet);
  // Captions come in the languages of the interface.
  if (!isLocale(language)) throw new AppError('invalid_input', 'captions.language');
  const vtt = toWebVtt(bytes);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('caption')
      .values({ media_file_id: fileId, language, vtt, created_by: actor.user.id })
      .onConflict((oc) => oc.columns(['media_file_id', 'language']).doUpdateSet({ vtt, created_by: actor.user.id }))
      .execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'caption.set',
      objectType: 'media_file',
      objectId: fileId,
      ip: actor.ip,
      data: { language },
    });
  });
}

export async function removeCaption(db: Db, actor: Actor, fileId: string, language: string): Promise<void> {
  const { cabinet } = await lecture(db, fileId);
  requirePermission(actor.user, 'cabinet.edit', cabinet);
  await db.transaction().execute(async (trx) => {
    await trx
      .deleteFrom('caption')
      .where('media_file_id', '=', fileId)
      .where('language', '=', language as CaptionLanguage)
      .execute();
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'caption.remove',
      objectType: 'media_file',
      objectId: fileId,
      ip: actor.ip,
      data: { language },
    });
  });
}

/** One caption file, for whoever may see the lecture. */
export async function captionForViewer(
  db: Db,
  user: Principal | null,
  fileId: string,
  language: string,
): Promise<string> {
  const { cabinet, status } = await lecture(db, fileId);
  requirePermission(user, 'item.view', { cabinet, status });
  const row = await db
    .selectFrom('caption')
    .select('vtt')
    .where('media_file_id', '=', fileId)
    .where('language', '=', language as CaptionLanguage)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found');
  return row.vtt;
}

export type WatchReport = { ranges: [number, number][]; position: number };
const MAX_RANGES = 500;

/**
 * Adds what the player says was played (its `played` ranges, in media seconds) to the student's
 * covered intervals; the union happens in Postgres, so reports may overlap or repeat. Ranges are
 * clipped to the lecture's length. Completed once ≥ 90 % is covered.
 */
export async function recordWatchProgress(
  db: Db,
  user: Principal | null,
  fileId: string,
  report: WatchReport,
): Promise<{ watchedSeconds: number; completed: boolean }> {
  const { file, cabinet, status } = await lecture(db, fileId);
  requirePermission(user, 'progress.record', { cabinet, status });
  const duration = file.duration_seconds;
  if (file.processing_state !== 'ready' || !duration) throw new AppError('not_found');
  if (report.ranges.length > MAX_RANGES) throw new AppError('invalid_input');
  const ranges = report.ranges
    .map(([from, to]) => [Math.max(0, from), Math.min(duration, to)] as const)
    .filter(([from, to]) => Number.isFinite(from) && Number.isFinite(to) && to > from);
  const position = Math.min(duration, Math.max(0, report.position));
  const covered = ranges.length
    ? sql<string>`nummultirange(${sql.join(ranges.map(([from, to]) => sql`numrange(${from}::numeric, ${to}::numeric)`))})`
    : sql<string>`'{}'::nummultirange`;
  const furthest = Math.max(position, ...ranges.map(([, to]) => to));
  const total = (set: RawBuilder<string>) =>
    sql<number>`(select coalesce(sum(upper(r) - lower(r)), 0)::float8 from unnest(${set}) r)`;
  const merged = sql<string>`watch_progress.watched + excluded.watched`;
  const row = await db
    .insertInto('watch_progress')
    .values({
      user_id: user.id,
      media_file_id: fileId,
      watched: covered,
      watched_seconds: total(covered),
      furthest_seconds: furthest,
      last_position_seconds: position,
      completed_at: sql`case when ${total(covered)} >= ${duration * COMPLETED_SHARE} then now() end`,
    })
    .onConflict((oc) =>
      oc.columns(['media_file_id', 'user_id']).doUpdateSet({
        watched: merged,
        watched_seconds: total(merged),
        furthest_seconds: sql`greatest(watch_progress.furthest_seconds, excluded.furthest_seconds)`,
        last_position_seconds: sql`excluded.last_position_seconds`,
        completed_at: sql`coalesce(watch_progress.completed_at, case when ${total(merged)} >= ${duration * COMPLETED_SHARE} then now() end)`,
        updated_at: sql`now()`,
      }),
    )
    .returning(['watched_seconds', 'completed_at'])
    .executeTakeFirstOrThrow();
  return { watchedSeconds: row.watched_seconds, completed: row.completed_at !== null };
}

/** Where the student left off (to resume), or 0. */
async function lastPosition(db: Db, userId: string, fileId: string): Promise<number> {
  const row = await db
    .selectFrom('watch_progress')
    .select('last_position_seconds')
    .where('user_id', '=', userId)
    .where('media_file_id', '=', fileId)
    .executeTakeFirst();
  return row?.last_position_seconds ?? 0;
}

export type ViewerRow = {
  studentId: string;
  name: string;
  group: string;
  watchedSeconds: number;
  furthestSeconds: number;
  completed: boolean;
  lastSeen: string | null;
};

export type ViewerTable = { durationSeconds: number; rows: ViewerRow[] };

/** Every student of the cabinet's groups with what they watched of this lecture (nothing yet included). */
async function viewersOf(db: Db, { file, cabinet }: FileInCabinet): Promise<ViewerTable> {
  const rows = await db
    .selectFrom('group_student as gs')
    .innerJoin('app_user as u', 'u.id', 'gs.student_id')
    .innerJoin('study_group as g', 'g.id', 'gs.group_id')
    .leftJoin('watch_progress as w', (join) => join.onRef('w.user_id', '=', 'u.id').on('w.media_file_id', '=', file.id))
    .select([
      'u.id',
      'u.full_name',
      'g.name as group_name',
      'w.watched_seconds',
      'w.furthest_seconds',
      'w.completed_at',
      'w.updated_at',
    ])
    .where('gs.group_id', 'in', [...cabinet.groupIds])
    .orderBy('g.name')
    .orderBy('u.full_name')
    .execute();
  return {
    durationSeconds: file.duration_seconds ?? 0,
    rows: rows.map((row) => ({
      studentId: row.id,
      name: row.full_name,
      group: row.group_name,
      watchedSeconds: row.watched_seconds ?? 0,
      furthestSeconds: row.furthest_seconds ?? 0,
      completed: Boolean(row.completed_at),
      lastSeen: row.updated_at ? row.updated_at.toISOString() : null,
    })),
  };
}

export type WatchPageData = {
  file: MediaFile;
  title: string;
  cabinetId: string;
  captions: CaptionLanguage[];
  /** Seconds to resume from, for a student who watched before. */
  resumeAt: number;
  reportsProgress: boolean;
  /** Who watched how much: for the instructor and the staff above, null for students. */
  viewers: ViewerTable | null;
};

/** Everything the lecture page shows, each part as this user may see it. */
export async function watchPage(db: Db, user: Principal | null, fileId: string): Promise<WatchPageData> {
  const found = await lecture(db, fileId);
  const { file, cabinet, status, cabinetId, title } = found;
  requirePermission(user, 'item.view', { cabinet, status });
  if (!file.hls_prefix || file.processing_state !== 'ready') throw new AppError('not_found');
  const reportsProgress = can(user, 'progress.record', { cabinet, status });
  return {
    file,
    title,
    cabinetId,
    captions: (
      await db
        .selectFrom('caption')
        .select('language')
        .where('media_file_id', '=', fileId)
        .orderBy('language')
        .execute()
    ).map((row) => row.language),
    resumeAt: reportsProgress ? await lastPosition(db, user.id, fileId) : 0,
    reportsProgress,
    viewers: can(user, 'progress.view', cabinet) ? await viewersOf(db, found) : null,
  };
}
