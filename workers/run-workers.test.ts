import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { testServerForFile, type TestServer } from '../tests/helpers/test-server.ts';
import { startWorkers } from './run-workers.ts';

const test = testServerForFile();
let server: TestServer;
beforeAll(() => {
  server = test.server;
});

describe('startWorkers', () => {
  it('schedules the clean-up of abandoned uploads every hour and works its queue', async () => {
    await startWorkers(server.services);
    const schedules = await sql<{ name: string; cron: string }>`select name, cron from pgboss.schedule`.execute(server.services.db);
    expect(schedules.rows).toContainEqual(expect.objectContaining({ name: 'cleanup-abandoned-uploads', cron: '17 * * * *' }));
    const jobId = await server.services.queue.enqueue(server.services.db, 'cleanup-abandoned-uploads', {});
    await expect
      .poll(async () => (await sql<{ state: string }>`select state from pgboss.job where id = ${jobId}`.execute(server.services.db)).rows[0]?.state, { timeout: 20_000, interval: 250 })
      .toBe('completed');
  });
});
