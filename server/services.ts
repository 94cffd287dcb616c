// Builds the shared services once (database, storage, queue, logger) for the web process and workers.
import fs from 'node:fs/promises';
import path from 'node:path';
import { createDb, poolUse, type Db } from '../db/client.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { seedDemo } from '../db/seed.ts';
import { seedDemoContent } from './demo-content.ts';
import { demoDomain, demoPassword } from '../db/demo.ts';
import { activeAdminCount } from './admin/first-admin.ts';
import { createOidc, type Oidc } from './auth/oidc.ts';
import { createPasswordPool } from './auth/password-pool.ts';
import { createPasswords, type Passwords } from './auth/passwords.ts';
import { loadTokenKey } from './media/media-token.ts';
import type { Config } from './config.ts';
import { startJobQueue, type JobQueue } from './jobs/job-queue.ts';
import type { DestinationStream } from 'pino';
import { createLogger, type Logger } from './logger.ts';
import { gaugeOnScrape } from './metrics.ts';
import { createTextPool, type TextPool } from './text/text-pool.ts';
import { claimDataDir } from './data-dir.ts';
import { createLocalStorage } from './storage/local-storage.ts';
import type { MediaStorage } from './storage/media-storage.ts';

export type Services = {
  config: Config;
  db: Db;
  storage: MediaStorage;
  queue: JobQueue;
  logger: Logger;
  /** Password hashing on its own threads (password-pool.ts). */
  passwords: Passwords;
  /** Markdown and question banks parsed on a worker thread, with deadlines (text-pool.ts). */
  text: TextPool;
  /** Single sign-on with the university's provider (oidc.ts); undefined when not configured. */
  oidc: Oidc | undefined;
  /** HMAC key of `/media` tokens (media-token.ts). */
  mediaTokenKey: Buffer;
  /** The database's address, for a connection of one's own (the report refresher's LISTEN). */
  databaseUrl: string;
  /** Something to stop when the services close, before the database. */
  onClose(close: () => Promise<void>): void;
  close(): Promise<void>;
};

async function createStorage(config: Config): Promise<MediaStorage> {
  if (!config.s3) return createLocalStorage(config.mediaDir);
  // Loaded only when configured: the AWS SDK is a sixth of the web process's heap, and every
  // full collection during an upload marks the whole heap.
  const { createS3Storage } = await import('./storage/s3-storage.ts');
  return createS3Storage(config.s3);
}

/**
 * `web`: the web process (owns the embedded database, migrates, seeds the demo); `worker`: a
 * standalone worker (needs DATABASE_URL); `tool`: a command (`npm run import`, `admin:create`),
 * which joins the embedded database the web process runs, or starts it, and migrates, never seeds.
 */
export type ServicesRole = 'web' | 'worker' | 'tool';

/** The embedded database when none is configured (the web process's, or a command's joining it). Returns its URL. */
async function startEmbedded(
  config: Config,
  role: ServicesRole,
  closers: Array<() => Promise<void>>,
  logger: Logger,
): Promise<string> {
  if (role === 'worker')
    throw new Error('A standalone worker needs DATABASE_URL (the embedded database belongs to the web process).');
  const cluster = await startEmbeddedPostgres({
    dir: path.join(config.dataDir, 'postgres'),
    port: config.embeddedPgPort,
    persistent: true,
    joinRunning: role === 'tool',
  });
  await ensureDatabase(cluster.url('postgres'), 'kabinet');
  closers.push(() => cluster.stop());
  logger.info('embedded postgres started', { port: config.embeddedPgPort, dir: path.join(config.dataDir, 'postgres') });
  return cluster.url('kabinet');
}

/** What the web process sees to at start: the demo (when asked), warnings an operator must read, its folders. */
async function prepareWebProcess(config: Config, db: Db, passwords: Passwords, logger: Logger): Promise<void> {
  if (config.seedDemo && (await seedDemo(db, passwords.hash))) {
    // Tests make their own content; a newcomer's demo gets a cabinet with something in it.
    if (config.env !== 'test')
      await seedDemoContent(db).catch((error: unknown) => logger.warn('demo content not made', { error }));
    logger.info('demo university seeded');
  }
  if (passwords.policy !== 'none' && (await demoPasswordWorks(db, passwords))) {
    logger.warn(
      `demo accounts with the public password "${demoPassword}" exist: fine for trying Kabinet, never for real use (start a real installation with SEED_DEMO=false)`,
    );
  }
  if ((await activeAdminCount(db)) === 0) {
    logger.warn(
      'no administrator yet: create one with `npm run admin:create -- --email you@university.kg` (it prints a one-time sign-in link)',
    );
  }
  await fs.mkdir(config.spoolDir, { recursive: true });
  if (!config.s3) await fs.mkdir(config.mediaDir, { recursive: true });
}

export async function startServices(
  config: Config,
  options: { role: ServicesRole; logTo?: DestinationStream; migrate?: boolean },
): Promise<Services> {
  const logger = createLogger(config.logLevel, options.logTo);
  const closers: Array<() => Promise<void>> = [];
  const releaseDataDir = await claimDataDir(config.dataDir, { lock: options.role === 'web' && !config.databaseUrl });
  const databaseUrl = config.databaseUrl ?? (await startEmbedded(config, options.role, closers, logger));
  // Released last, once the embedded database has stopped.
  closers.push(releaseDataDir);
  // Files this process makes from here on (spool, media, work folders, the token key) are the
  // owner's only. Not before: as root, the embedded database's setup hands files to its own user.
  process.umask(0o077);
  const db = createDb(databaseUrl, {
    onPoolError: (error) => logger.warn('database connection lost while idle', { error: error.message }),
  });
  closers.unshift(() => db.destroy());
  const passwordPool = createPasswordPool();
  closers.unshift(() => passwordPool.close());
  const passwords = createPasswords(passwordPool, config.passwordLogin);
  const text = createTextPool();
  closers.unshift(() => text.close());
  if (options.role !== 'worker' && options.migrate !== false) {
    const applied = await migrateToLatest(db);
    if (applied.migrations.length) logger.info('migrations applied', { applied: applied.migrations });
    if (applied.repeatables.length) logger.info('database functions and views applied', { files: applied.repeatables });
  }
  if (options.role === 'web') await prepareWebProcess(config, db, passwords, logger);
  const queue = await startJobQueue(databaseUrl, {
    schedule: options.role === 'web' || (options.role === 'worker' && config.runWorker),
  });
  closers.unshift(() => queue.stop());
  measureOnScrape(db, queue);
  return {
    config,
    db,
    storage: await createStorage(config),
    queue,
    logger,
    passwords,
    text,
    // Only the web process signs people in (and discovers the provider at start).
    oidc: config.oidc && options.role === 'web' ? createOidc(config.oidc, logger) : undefined,
    mediaTokenKey: loadTokenKey(config.media, config.dataDir),
    databaseUrl,
    onClose: (close) => closers.unshift(close),
    async close() {
      for (const close of closers)
        await close().catch((error) => logger.warn('close failed', { error: String(error) }));
    },
  };
}

/** The queue's depths and the database pool's use, read when /metrics is scraped. */
function measureOnScrape(db: Db, queue: JobQueue): void {
  gaugeOnScrape('kabinet_jobs', 'Jobs per queue: waiting (queued) and running (active)', ['queue', 'state'], async () =>
    (await queue.depths()).flatMap(({ queue: name, queued, active }) => [
      { labels: { queue: name, state: 'queued' }, value: queued },
      { labels: { queue: name, state: 'active' }, value: active },
    ]),
  );
  gaugeOnScrape(
    'kabinet_db_pool_connections',
    'Database connections of this process: total, idle, and queries waiting for one',
    ['state'],
    () => {
      const use = poolUse(db);
      return use ? Object.entries(use).map(([state, value]) => ({ labels: { state }, value })) : [];
    },
  );
}

/** Whether the demo's administrator still signs in with the public demo password. */
async function demoPasswordWorks(db: Db, passwords: Passwords): Promise<boolean> {
  const admin = await db
    .selectFrom('app_user')
    .select('password_hash')
    .where('email', '=', `admin@${demoDomain}`)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return admin?.password_hash ? passwords.verify(demoPassword, admin.password_hash) : false;
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client(adminUrl);
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
