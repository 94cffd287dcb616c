// `npm run backup -- <folder>`: the database (the configured one, or the embedded one under
// DATA_DIR, running or not) and media storage (local folder or S3 bucket) into a folder, at one
// point in time (server/backup/backup.ts, decision 025). The web process may keep serving. A
// second backup into the same folder copies only new media. The last line on stdout says what
// was kept: {"backup":"<folder>","tables":N,"rows bytes":…,"mediaFiles":N,"mediaBytes":N}
import path from 'node:path';
import { parseArgs } from 'node:util';
import { backUp } from './backup/backup.ts';
import { loadConfig } from './config.ts';
import { startServices } from './services.ts';

const { positionals } = parseArgs({ allowPositionals: true });
if (positionals.length !== 1) {
  process.stderr.write('usage: npm run backup -- <folder>\n');
  process.exit(2);
}
const dir = path.resolve(positionals[0]!);
const config = loadConfig(process.env);
const services = await startServices({ ...config, logLevel: 'warn' }, { role: 'tool' });
try {
  const started = Date.now();
  const manifest = await backUp({ databaseUrl: services.databaseUrl, storage: services.storage, dir });
  const dumpBytes = manifest.tables.reduce((sum, table) => sum + table.bytes, 0);
  process.stdout.write(
    `${JSON.stringify({ backup: dir, createdAt: manifest.createdAt, tables: manifest.tables.length, dumpBytes, mediaFiles: manifest.media.files, mediaBytes: manifest.media.bytes, seconds: (Date.now() - started) / 1000 })}\n`,
  );
} catch (error) {
  process.stderr.write(`backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await services.close();
}
