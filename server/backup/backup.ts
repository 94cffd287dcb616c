// Backups of the database and media storage to a folder, and back (decision 025).
//
// The database is dumped by Kabinet itself, because no pg_dump matching the server is at hand (the
// embedded PostgreSQL ships none; Debian's is older than the server): one read-only REPEATABLE
// READ transaction, so every table is read at the same instant, each table through
// `COPY … TO STDOUT` (PostgreSQL's own text format, gzipped), the sequences' values, and the
// migrations applied. The schema is not dumped: a restore recreates it with the migrations the
// backup names, loads the rows, then migrates to the running code's latest. The job queue is
// derived state and is not kept: a restore enqueues again what was unfinished.
//
// Media follows the database, so that everything the dump names is there: segments first and
// playlists last (a playlist never names a segment the backup lacks). Stored objects are written
// once, so a second backup into the same folder copies only what is new.
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { migrations } from '../../db/migrations/index.ts';
import { contentTypeOfKey, type MediaStorage } from '../storage/media-storage.ts';

export const manifestName = 'kabinet-backup.json';
const manifestFormat = 1;

export type TableDump = { name: string; columns: string[]; file: string; bytes: number };
export type Manifest = {
  format: number;
  createdAt: string;
  /** Migrations applied when the dump was taken, in order. */
  migrations: string[];
  tables: TableDump[];
  sequences: Array<{ name: string; lastValue: string; isCalled: boolean }>;
  media: { storage: 'local' | 's3'; files: number; bytes: number };
};

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
/** Objects that are not the university's: the health probe's. */
const skippedKey = (key: string) => key.startsWith('health/');

/**
 * Tables in an order where every foreign key points to a table loaded before it. Which migrations
 * and repeatable SQL are applied is the schema's, not data: a restore applies them itself.
 */
async function tablesInLoadOrder(client: pg.ClientBase): Promise<Array<{ name: string; columns: string[] }>> {
  const tables = await client.query<{ name: string; columns: string[] }>(`
    select c.relname as name,
           array_agg(a.attname::text order by a.attnum) as columns
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
     where c.relkind in ('r', 'p') and c.relname not like 'kysely_migration%' and c.relname <> 'repeatable_sql'
     group by c.relname`);
  const references = await client.query<{ child: string; parent: string }>(`
    select c.relname as child, p.relname as parent
      from pg_constraint k
      join pg_class c on c.oid = k.conrelid
      join pg_class p on p.oid = k.confrelid
      join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'public'
     where k.contype = 'f' and k.conrelid <> k.confrelid`);
  const byName = new Map(tables.rows.map((table) => [table.name, table]));
  const ordered: Array<{ name: string; columns: string[] }> = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`foreign keys form a cycle through ${name}`);
    state.set(name, 'visiting');
    for (const { parent } of references.rows.filter((reference) => reference.child === name))
      if (byName.has(parent)) visit(parent);
    state.set(name, 'done');
    ordered.push(byName.get(name)!);
  };
  for (const name of [...byName.keys()].sort()) visit(name);
  return ordered;
}

async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const temporary = path.join(dir, `${manifestName}.partial`);
  await fs.writeFile(temporary, `${JSON.stringify(manifest, null, 2)}\n`);
  await fs.rename(temporary, path.join(dir, manifestName));
}

export async function readManifest(dir: string): Promise<Manifest> {
  const text = await fs.readFile(path.join(dir, manifestName), 'utf8').catch(() => null);
  if (text === null)
    throw new Error(
      `${dir} holds no complete Kabinet backup (${manifestName} is missing: the backup did not finish, or this is another folder)`,
    );
  const manifest = JSON.parse(text) as Manifest;
  if (manifest.format !== manifestFormat)
    throw new Error(`${dir} is a backup of format ${manifest.format}; this Kabinet reads format ${manifestFormat}`);
  return manifest;
}

/** Dumps the database at one instant into `<dir>/db`; returns what the manifest says of it. */
async function dumpDatabase(
  databaseUrl: string,
  dir: string,
): Promise<Pick<Manifest, 'migrations' | 'tables' | 'sequences'>> {
  const target = path.join(dir, 'db');
  const partial = `${target}.partial`;
  await fs.rm(partial, { recursive: true, force: true });
  await fs.mkdir(partial, { recursive: true });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const applied = await client.query<{ name: string }>('select name from kysely_migration order by name');
    const tables: TableDump[] = [];
    for (const table of await tablesInLoadOrder(client)) {
      const file = `${table.name}.tsv.gz`;
      const source = client.query(
        copyTo(`copy ${quote(table.name)} (${table.columns.map(quote).join(', ')}) to stdout`),
      );
      await pipeline(source, zlib.createGzip({ level: 6 }), createWriteStream(path.join(partial, file)));
      tables.push({
        name: table.name,
        columns: table.columns,
        file: `db/${file}`,
        bytes: (await fs.stat(path.join(partial, file))).size,
      });
    }
    const sequenceNames = await client.query<{ name: string }>(
      `select sequencename as name from pg_sequences where schemaname = 'public' order by 1`,
    );
    const sequences: Manifest['sequences'] = [];
    for (const { name } of sequenceNames.rows) {
      const { rows } = await client.query<{ last_value: string; is_called: boolean }>(
        `select last_value::text, is_called from ${quote(name)}`,
      );
      sequences.push({ name, lastValue: rows[0]!.last_value, isCalled: rows[0]!.is_called });
    }
    await client.query('commit');
    await fs.rm(target, { recursive: true, force: true });
    await fs.rename(partial, target);
    return { migrations: applied.rows.map((row) => row.name), tables, sequences };
  } finally {
    await client.end();
  }
}

/** Copies media storage into `<dir>/media`: new or changed objects only, playlists last. */
async function copyMedia(storage: MediaStorage, dir: string): Promise<Manifest['media']> {
  const keys = (await storage.list('')).filter((key) => !skippedKey(key));
  const ordered = [...keys.filter((key) => !key.endsWith('.m3u8')), ...keys.filter((key) => key.endsWith('.m3u8'))];
  let bytes = 0;
  for (const key of ordered) {
    const file = path.join(dir, 'media', ...key.split('/'));
    const size = await storage.size(key);
    if (size === null) continue; // removed since it was listed (after its retention period)
    bytes += size;
    const kept = await fs.stat(file).catch(() => null);
    if (kept && kept.size === size && !key.endsWith('.m3u8')) continue;
    await fs.mkdir(path.dirname(file), { recursive: true });
    await pipeline(await storage.read(key), createWriteStream(`${file}.partial`));
    await fs.rename(`${file}.partial`, file);
  }
  return { storage: storage.kind, files: ordered.length, bytes };
}

/** Backs up the database, then media, into `dir`; the manifest is written last, so a backup that did not finish never looks complete. */
export async function backUp(options: { databaseUrl: string; storage: MediaStorage; dir: string }): Promise<Manifest> {
  const { dir } = options;
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const entries = await fs.readdir(dir);
  if (entries.some((entry) => !['db', 'media', manifestName].includes(entry) && !entry.endsWith('.partial'))) {
    throw new Error(`${dir} holds files that are not a Kabinet backup: choose an empty folder or an earlier backup's`);
  }
  await fs.rm(path.join(dir, manifestName), { force: true });
  const createdAt = new Date().toISOString();
  const database = await dumpDatabase(options.databaseUrl, dir);
  const media = await copyMedia(options.storage, dir);
  const manifest: Manifest = { format: manifestFormat, createdAt, ...database, media };
  await writeManifest(dir, manifest);
  return manifest;
}

/** Whether the database holds no table of Kabinet's yet (a restore goes only into an empty one). */
export async function isEmptyDatabase(databaseUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      `select count(*)::int as n from pg_tables where schemaname = 'public'`,
    );
    return rows[0]!.n === 0;
  } finally {
    await client.end();
  }
}

/** Drops everything of Kabinet's schema (after a failed restore, which began on an empty database). */
export async function emptyDatabase(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('drop schema public cascade');
    await client.query('create schema public');
  } finally {
    await client.end();
  }
}

/** The migrations of this code up to the backup's last one; a backup from newer code is refused. */
export function migrationsToReach(manifest: Manifest): string {
  const known = Object.keys(migrations).sort();
  const unknown = manifest.migrations.filter((name) => !known.includes(name));
  if (unknown.length)
    throw new Error(
      `The backup was made by a newer Kabinet (migrations ${unknown.join(', ')}): restore it with that version or a later one`,
    );
  const last = manifest.migrations.at(-1);
  if (!last) throw new Error('The backup names no migrations');
  return last;
}

/** Loads the dumped rows and sequence values into a database migrated to the backup's schema, in one transaction. */
export async function loadDatabase(databaseUrl: string, dir: string, manifest: Manifest): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('begin');
    for (const table of manifest.tables) {
      const name = quote(table.name);
      // Triggers of Kabinet's own (report bookkeeping) stay quiet: the rows they would write are in the dump.
      await client.query(`alter table ${name} disable trigger user`);
      const sink = client.query(copyFrom(`copy ${name} (${table.columns.map(quote).join(', ')}) from stdin`));
      await pipeline(createReadStream(path.join(dir, table.file)), zlib.createGunzip(), sink);
      await client.query(`alter table ${name} enable trigger user`);
    }
    for (const sequence of manifest.sequences) {
      await client.query('select setval($1::regclass, $2::bigint, $3)', [
        quote(sequence.name),
        sequence.lastValue,
        sequence.isCalled,
      ]);
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

/** Puts the backed-up objects back into media storage, segments first and playlists last. */
export async function restoreMedia(storage: MediaStorage, dir: string): Promise<number> {
  const root = path.join(dir, 'media');
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  const keys = entries
    .filter((entry) => entry.isFile() && !entry.name.endsWith('.partial'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'));
  const ordered = [...keys.filter((key) => !key.endsWith('.m3u8')), ...keys.filter((key) => key.endsWith('.m3u8'))];
  for (const key of ordered) {
    // Downloads name their type from the database; published output keeps its own.
    await storage.putFile(key, path.join(root, ...key.split('/')), contentTypeOfKey(key));
  }
  return ordered.length;
}
