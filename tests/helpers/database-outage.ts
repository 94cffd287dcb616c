// A database outage a test can start and end: the database stops taking connections and drops the
// open ones (every process's pool sees its connections die), until the returned function is called.
import { sql } from 'kysely';
import { createDb } from '../../db/client.ts';

export async function databaseOutage(databaseUrl: string): Promise<() => Promise<void>> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = createDb(databaseUrl.replace(`/${name}`, '/postgres'), { max: 1 });
  await sql`alter database ${sql.id(name)} with allow_connections false`.execute(admin);
  await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`.execute(
    admin,
  );
  return async () => {
    await sql`alter database ${sql.id(name)} with allow_connections true`.execute(admin);
    await admin.destroy();
  };
}
