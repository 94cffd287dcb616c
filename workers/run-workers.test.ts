import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { testServerForFile } from '../tests/helpers/test-server.ts';
import { startWorkers } from './run-workers.ts';

const file = testServerForFile();

describe('startWorkers', () => {
  it('schedules the clean-up of abandoned uploads every five minutes and works its queue', async () => {
    await startWorkers(file.server.services);
    const schedules = await sql<{ name: string; cron: string }>`select name, cron from pgboss.schedule`.execute(
      file.server.services.db,
    );
    expect(schedules.rows).toContainEqual(
      expect.objectContaining({ name: 'cleanup-abandoned-uploads', cron: '*/5 * * * *' }),
    );
    const jobId = await file.server.services.queue.enqueue(file.server.services.db, 'cleanup-abandoned-uploads', {});
    await expect
      .poll(
        async () =>
          (
            await sql<{ state: string }>`select state from pgboss.job where id = ${jobId}`.execute(
              file.server.services.db,
            )
          ).rows[0]?.state,
        { timeout: 20_000, interval: 250 },
      )
      .toBe('completed');
  });
});
