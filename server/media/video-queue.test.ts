// The queue position and time left the cabinet shows for lectures being processed: positions from
// the real job queue, the pace learned from lectures completed before, and the estimate's blend.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { createExtraItem } from '../cabinets/items.ts';
import { estimateSecondsLeft, jobsAhead, learnedPace } from './video-queue.ts';

let server: TestServer;
let makeFile: (state: 'awaiting' | 'ready') => Promise<string>;

beforeAll(async () => {
  server = await startTestServer();
  const { cabinetId, user } = await demoCabinet(server.services.db, 'instructor', 'MATH-101');
  const itemId = await createExtraItem(server.services.db, { user, ip: null }, cabinetId, {
    title: 'Лекциялар',
    description: '',
  });
  makeFile = async (state) => {
    const row = await server.services.db
      .insertInto('media_file')
      .values({
        item_id: itemId,
        upload_id: crypto.randomUUID().replaceAll('-', ''),
        storage_key: 'originals/ff/x/original.mp4',
        original_name: 'a.mp4',
        byte_size: 10,
        sha256: '0'.repeat(64),
        content_type: 'video/mp4',
        file_kind: 'video',
        processing_state: state,
        created_by: user.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  };
});
afterAll(() => server?.close());

describe('the queue position', () => {
  it('counts the jobs before each lecture in its own stage’s queue, and none of the other queue', async () => {
    const [a, b, c] = [await makeFile('awaiting'), await makeFile('awaiting'), await makeFile('awaiting')];
    const improving = await makeFile('ready');
    for (const id of [a, b, c])
      await server.services.queue.enqueue(server.services.db, 'transcode-video', { mediaFileId: id });
    await server.services.queue.enqueue(server.services.db, 'complete-video-ladder', { mediaFileId: improving });
    const ahead = await jobsAhead(server.services.db, [
      { id: c, stage: 'playable' },
      { id: a, stage: 'playable' },
      { id: b, stage: 'playable' },
      { id: improving, stage: 'ladder' },
    ]);
    // Jobs queued by earlier tests in this database come first for everyone alike.
    const base = ahead.get(a)!;
    expect([ahead.get(b)! - base, ahead.get(c)! - base]).toEqual([1, 2]);
    expect(ahead.get(improving)).toBe(0);
    expect(await jobsAhead(server.services.db, [])).toEqual(new Map());
  });
});

describe('a lecture’s ladder', () => {
  it('is queued once however many times it is asked for while one waits or runs', async () => {
    const id = await makeFile('ready');
    const first = await server.services.queue.enqueue(server.services.db, 'complete-video-ladder', { mediaFileId: id });
    const second = await server.services.queue.enqueue(server.services.db, 'complete-video-ladder', {
      mediaFileId: id,
    });
    expect(first).toBeTruthy();
    expect(second).toBeNull();
    const jobs = await sql<{
      n: string;
    }>`select count(*) as n from pgboss.job where name = 'complete-video-ladder' and data->>'mediaFileId' = ${id}`.execute(
      server.services.db,
    );
    expect(Number(jobs.rows[0]!.n)).toBe(1);
  });
});

describe('the pace learned here', () => {
  it('is unknown before three complete lectures, then the median of the most recent', async () => {
    expect(await learnedPace(server.services.db)).toEqual({ playable: null, ladder: null });
    const start = new Date('2026-11-01T10:00:00Z');
    const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
    // 100 s lectures: playable after 5, 10 and 30 s; ladders of 40, 50 and 300 s.
    for (const [playable, ladder] of [
      [5, 40],
      [10, 50],
      [30, 300],
    ] as const) {
      const id = await makeFile('ready');
      await server.services.db
        .updateTable('media_file')
        .set({
          hls_complete: true,
          duration_seconds: 100,
          processing_started_at: start,
          ready_at: at(playable),
          ladder_started_at: at(playable + 1),
          completed_at: at(playable + 1 + ladder),
        })
        .where('id', '=', id)
        .execute();
    }
    expect(await learnedPace(server.services.db)).toEqual({ playable: 0.1, ladder: 0.5 });
  });
});

describe('the time left', () => {
  const now = new Date('2026-11-30T12:00:00Z');
  const startedAgo = (seconds: number) => new Date(now.getTime() - seconds * 1000);

  it('comes from the learned pace before the stage has gone far, from its own speed at the end', () => {
    // A 600 s lecture at a learned 0.5 s per second: 300 s in all.
    expect(estimateSecondsLeft({ progress: 0, startedAt: startedAgo(10), durationSeconds: 600 }, 0.5, now)).toBe(290);
    // Half done in 100 s: its own speed says 200 in all, the pace 300; half of each.
    expect(estimateSecondsLeft({ progress: 0.5, startedAt: startedAgo(100), durationSeconds: 600 }, 0.5, now)).toBe(
      150,
    );
    // Without a learned pace: nothing before 5 %, then its own speed.
    expect(
      estimateSecondsLeft({ progress: 0.02, startedAt: startedAgo(10), durationSeconds: 600 }, null, now),
    ).toBeNull();
    expect(estimateSecondsLeft({ progress: 0.25, startedAt: startedAgo(30), durationSeconds: 600 }, null, now)).toBe(
      90,
    );
    // Not started, or done: nothing to say.
    expect(estimateSecondsLeft({ progress: null, startedAt: null, durationSeconds: 600 }, 0.5, now)).toBeNull();
    expect(estimateSecondsLeft({ progress: 1, startedAt: startedAgo(10), durationSeconds: 600 }, 0.5, now)).toBeNull();
  });
});
