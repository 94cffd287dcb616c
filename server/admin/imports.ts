// Imports as the admin runs them: the uploaded file is kept in media storage (any worker on any
// machine reads it), an import run is recorded with its preview job in one transaction, the worker
// previews it (live progress in the row), the admin applies it (the same file again, one job), and
// the last runs stay listed with their reports.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { ImportState } from '../../db/schema.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { requirePermission, type Actor, type Principal } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';
import type { MediaStorage } from '../storage/media-storage.ts';
import type { ImportReport } from './import/import-report.ts';
import type { Invitations } from './import/import-people.ts';
import { runImport, type ImportProgress } from './import/run-import.ts';

const storageKey = (runId: string) => `imports/${runId}/upload`;
/** How often a running import writes its progress for the page to read. */
const progressEveryMs = 500;

export type ImportRunView = {
  id: string;
  fileName: string;
  byteSize: number;
  createdAt: string;
  createdBy: string;
  termCode: string | null;
  sync: boolean;
  state: ImportState;
  applyValidOnly: boolean;
  progress: ImportProgress | null;
  report: ImportReport | null;
};

const isProgress = (value: unknown): value is ImportProgress =>
  typeof value === 'object' && value !== null && 'phase' in value;

const runColumns = [
  'r.id',
  'r.file_name',
  'r.byte_size',
  'r.created_at',
  'u.full_name',
  'r.term_code',
  'r.sync',
  'r.state',
  'r.apply_valid_only',
  'r.progress',
  'r.report',
] as const;

function view(row: {
  id: string;
  file_name: string;
  byte_size: string;
  created_at: Date;
  full_name: string;
  term_code: string | null;
  sync: boolean;
  state: ImportState;
  apply_valid_only: boolean;
  progress: unknown;
  report: unknown;
}): ImportRunView {
  return {
    id: row.id,
    fileName: row.file_name,
    byteSize: Number(row.byte_size),
    createdAt: row.created_at.toISOString(),
    createdBy: row.full_name,
    termCode: row.term_code,
    sync: row.sync,
    state: row.state,
    applyValidOnly: row.apply_valid_only,
    progress: isProgress(row.progress) ? row.progress : null,
    report: (row.report as ImportReport | null) ?? null,
  };
}

export async function listImportRuns(db: Db, user: Principal, limit = 20): Promise<ImportRunView[]> {
  requirePermission(user, 'admin.manage', {});
  const rows = await db
    .selectFrom('import_run as r')
    .innerJoin('app_user as u', 'u.id', 'r.created_by')
    .select(runColumns)
    .orderBy('r.created_at', 'desc')
    .limit(limit)
    .execute();
  // The list shows counts, not every problem.
  return rows.map(view).map((run) => (run.report ? { ...run, report: { ...run.report, problems: [] } } : run));
}

export async function importRun(db: Db, user: Principal, runId: string): Promise<ImportRunView> {
  requirePermission(user, 'admin.manage', {});
  const row = isUuid(runId)
    ? await db
        .selectFrom('import_run as r')
        .innerJoin('app_user as u', 'u.id', 'r.created_by')
        .select(runColumns)
        .where('r.id', '=', runId)
        .executeTakeFirst()
    : undefined;
  if (!row) throw new AppError('not_found');
  return view(row);
}

export type StartImport = { localPath: string; fileName: string; termCode: string | null; sync: boolean };

/** Keeps the uploaded file, records the run and enqueues its preview (the row and the job in one transaction). */
export async function startImport(
  services: { db: Db; storage: MediaStorage; queue: JobQueue },
  actor: Actor,
  input: StartImport,
): Promise<string> {
  requirePermission(actor.user, 'admin.manage', {});
  const { db, storage, queue } = services;
  const runId = (await sql<{ id: string }>`select gen_random_uuid() as id`.execute(db)).rows[0]!.id;
  const size = (await fs.stat(input.localPath)).size;
  if (size === 0) throw new AppError('invalid_input', 'import.problems.no_sheets');
  await storage.putFile(storageKey(runId), input.localPath, 'application/octet-stream');
  try {
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('import_run')
        .values({
          id: runId,
          created_by: actor.user.id,
          file_name: path.basename(input.fileName).slice(0, 255) || 'import',
          storage_key: storageKey(runId),
          byte_size: size,
          term_code: input.termCode,
          sync: input.sync,
          state: 'previewing',
        })
        .execute();
      await recordAudit(trx, {
        actorId: actor.user.id,
        action: 'import.upload',
        objectType: 'import',
        objectId: runId,
        ip: actor.ip,
        data: { file: input.fileName, size, sync: input.sync, term: input.termCode },
      });
      await queue.enqueue(trx, 'import-run', { runId, apply: false });
    });
  } catch (error) {
    // Nothing half-written: no run, no stored file.
    await storage.remove(storageKey(runId)).catch(() => undefined);
    throw error;
  }
  return runId;
}

/**
 * Asks for a previewed run to be applied (once: a second request finds it no longer previewed):
 * all its rows or only the valid ones, e-mailing the people it adds a sign-in link or not.
 */
export async function applyImport(
  db: Db,
  queue: JobQueue,
  actor: Actor,
  runId: string,
  choice: { validOnly: boolean; invite: boolean },
): Promise<void> {
  requirePermission(actor.user, 'admin.manage', {});
  if (!isUuid(runId)) throw new AppError('not_found');
  await db.transaction().execute(async (trx) => {
    const run = await trx
      .updateTable('import_run')
      .set({
        state: 'applying',
        apply_valid_only: choice.validOnly,
        invite: choice.invite,
        progress: '{}',
        updated_at: new Date(),
      })
      .where('id', '=', runId)
      .where('state', '=', 'previewed')
      .returning('id')
      .executeTakeFirst();
    if (!run) {
      const exists = await trx.selectFrom('import_run').select('id').where('id', '=', runId).executeTakeFirst();
      throw exists ? new AppError('conflict', 'admin.imports.notPreviewed') : new AppError('not_found');
    }
    await recordAudit(trx, {
      actorId: actor.user.id,
      action: 'import.apply_requested',
      objectType: 'import',
      objectId: runId,
      ip: actor.ip,
      data: choice,
    });
    await queue.enqueue(trx, 'import-run', { runId, apply: true });
  });
}

/** Marks a run that cannot go on as failed (unless it already ended). */
export async function failImportRun(db: Db, runId: string): Promise<void> {
  await db
    .updateTable('import_run')
    .set({ state: 'failed', failure_key: 'errors.unexpected', updated_at: new Date() })
    .where('id', '=', runId)
    .where('state', 'in', ['previewing', 'applying'])
    .execute();
}

/**
 * The worker's part: reads the stored file into a local one, runs the import, and records its
 * progress and report. `invitations`: where sign-in links go (only with SMTP configured).
 */
export async function runImportJob(
  services: { db: Db; storage: MediaStorage; logger: Logger; workDir: string; invitations: Invitations | undefined },
  job: { runId: string; apply: boolean },
): Promise<void> {
  const { db, storage, logger } = services;
  const run = await db.selectFrom('import_run').selectAll().where('id', '=', job.runId).executeTakeFirst();
  if (!run) return logger.warn('import run not found', { runId: job.runId });
  const expected: ImportState = job.apply ? 'applying' : 'previewing';
  if (run.state !== expected) return logger.info('import run already done', { runId: run.id, state: run.state });
  const workDir = services.workDir || os.tmpdir();
  await fs.mkdir(workDir, { recursive: true });
  const dir = await fs.mkdtemp(path.join(workDir, 'import-'));
  const local = path.join(dir, 'upload');
  let last = 0;
  let writing = Promise.resolve();
  const onProgress = (progress: ImportProgress) => {
    const now = Date.now();
    if (now - last < progressEveryMs && progress.phase !== 'done') return;
    last = now;
    const snapshot = JSON.stringify(progress);
    writing = writing.then(async () => {
      await db
        .updateTable('import_run')
        .set({ progress: snapshot, updated_at: new Date() })
        .where('id', '=', run.id)
        .execute();
    });
  };
  try {
    await pipeline(await storage.read(run.storage_key), createWriteStream(local));
    const report = await runImport(
      db,
      {
        filePath: local,
        fileName: run.file_name,
        options: { termCode: run.term_code, sync: run.sync },
        apply: job.apply,
        applyValidOnly: run.apply_valid_only,
        actor: { id: run.created_by, ip: null },
        runId: run.id,
        invite: run.invite ? services.invitations : undefined,
      },
      onProgress,
    );
    await writing;
    // Refused when applied (problems found since the preview): back to "previewed", with the new report.
    const state: ImportState = report.outcome === 'applied' ? 'applied' : 'previewed';
    await db
      .updateTable('import_run')
      .set({ state, report: JSON.stringify(report), updated_at: new Date() })
      .where('id', '=', run.id)
      .execute();
    logger.info('import run', {
      runId: run.id,
      outcome: report.outcome,
      seconds: report.seconds,
      problems: report.problemCount,
    });
  } catch (error) {
    await writing.catch(() => undefined);
    await failImportRun(db, run.id);
    throw error;
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
