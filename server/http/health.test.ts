import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createDb } from '../../db/client.ts';
import { testServerForFile } from '../../tests/helpers/test-server.ts';

const file = testServerForFile();

describe('GET /healthz', () => {
  it('answers 200 with ok:true while the database answers, 503 when it does not', async () => {
    const up = await fetch(`${file.server.url}/healthz`);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({
      ok: true,
      storage: 'local',
      checks: { database: 'ok', storage: 'ok', queue: 'ok' },
    });
    // Terminate this database's connections and forbid new ones: the database stops answering.
    const name = new URL(file.server.services.config.databaseUrl!).pathname.slice(1);
    const admin = createDb(file.server.services.config.databaseUrl!.replace(`/${name}`, '/postgres'), { max: 1 });
    await sql`alter database ${sql.id(name)} with allow_connections false`.execute(admin);
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${name} and pid <> pg_backend_pid()`.execute(
      admin,
    );
    const down = await fetch(`${file.server.url}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      ok: false,
      checks: { database: expect.stringMatching(/^failed/), storage: 'ok' },
    });
    await sql`alter database ${sql.id(name)} with allow_connections true`.execute(admin);
    await admin.destroy();
    // Back once the database answers again (the pools find their dropped connections first).
    await expect.poll(async () => (await fetch(`${file.server.url}/healthz`)).status, { timeout: 10_000 }).toBe(200);
  });

  it('sends nosniff and frame protection on every answer', async () => {
    const response = await fetch(`${file.server.url}/healthz`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
  });
});
