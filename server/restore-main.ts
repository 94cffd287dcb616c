// `npm run restore -- <folder>`: a backup made by `npm run backup` into an empty database (the
// configured one, or a fresh embedded one under DATA_DIR) and media storage: the backup's schema
// by its migrations, its rows in one transaction, then the running code's newer migrations, then
// media; unfinished video processing is queued again. Start Kabinet afterwards.
// The last line on stdout: {"restored":"<folder>","createdAt":"…","tables":N,"mediaFiles":N,"requeued":N}
import path from 'node:path';
import { parseArgs } from 'node:util';
import { migrateTo, migrateToLatest } from '../db/migrate.ts';
import {
  emptyDatabase,
  isEmptyDatabase,
  loadDatabase,
  migrationsToReach,
  readManifest,
  restoreMedia,
} from './backup/backup.ts';
import { loadConfig } from './config.ts';
import { startServices } from './services.ts';

const { positionals } = parseArgs({ allowPositionals: true });
if (positionals.length !== 1) {
  process.stderr.write('usage: npm run restore -- <folder>\n');
  process.exit(2);
}
const dir = path.resolve(positionals[0]!);
const fail = (message: string) => {
  process.stderr.write(`restore refused: ${message}\n`);
  process.exit(1);
};
const manifest = await readManifest(dir).catch((error: Error) => fail(error.message));
const config = loadConfig(process.env);
const services = await startServices({ ...config, logLevel: 'warn' }, { role: 'tool', migrate: false });
let started = false;
try {
  if (!(await isEmptyDatabase(services.databaseUrl))) {
    throw new Error(
      'restore refused: the database is not empty. Restore into a new database (DATABASE_URL), or for the embedded one stop Kabinet and move DATA_DIR aside first.',
    );
  }
  started = true;
  const target = migrationsToReach(manifest!);
  await migrateTo(services.db, target);
  await loadDatabase(services.databaseUrl, dir, manifest!);
  const newer = await migrateToLatest(services.db);
  const mediaFiles = await restoreMedia(services.storage, dir);
  // The job queue is not in the backup: what was waiting for the worker is queued again.
  const unfinished = await services.db
    .selectFrom('media_file')
    .select(['id', 'processing_state', 'growing'])
    .where((eb) =>
      eb.or([
        eb('processing_state', 'in', ['awaiting', 'processing']),
        eb.and([eb('processing_state', '=', 'ready'), eb('hls_complete', '=', false)]),
      ]),
    )
    .execute();
  for (const { id, processing_state, growing } of unfinished) {
    // A playable lecture whose first rendition is whole needs its ladder; any other, its first stage.
    await services.queue.enqueue(
      services.db,
      processing_state === 'ready' && !growing ? 'complete-video-ladder' : 'transcode-video',
      { mediaFileId: id },
    );
  }
  process.stdout.write(
    `${JSON.stringify({ restored: dir, createdAt: manifest!.createdAt, tables: manifest!.tables.length, newerMigrations: newer.migrations.length, mediaFiles, requeued: unfinished.length })}\n`,
  );
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${message.startsWith('restore refused') ? message : `restore failed: ${message}`}\n`);
  process.exitCode = 1;
  // Half a restore is no restore: the database is left empty again, so that the next try may begin.
  if (started)
    await emptyDatabase(services.databaseUrl).catch((cleanup: Error) =>
      process.stderr.write(`and emptying the database failed: ${cleanup.message}\n`),
    );
} finally {
  await services.close();
}
