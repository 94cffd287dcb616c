// Retry, captions and watch progress on a real processed clip, through the routes people use.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { action as cabinetAction } from './cabinets.$cabinetId.tsx';
import { loader as captionLoader } from './watch.$fileId.captions.$language.ts';
import { action as progressAction } from './watch.$fileId.progress.ts';
import { loader as watchLoader } from './watch.$fileId.tsx';
import { processLecture } from '../../tests/helpers/process-lecture.ts';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { tusUploadWhole } from '../../tests/helpers/tus-requests.ts';
import { settle, statusOf } from '../../tests/helpers/route-calls.ts';

let server: TestServer;
let cabinet: Awaited<ReturnType<typeof demoCabinet>>;
let fileId: string;
const context = () => ({ services: server.services, clientIp: '10.0.0.1' });

async function postCabinet(account: string, fields: Record<string, string | Blob>) {
  const body = new FormData();
  for (const [name, value] of Object.entries(fields)) body.append(name, value as string);
  const request = new Request(`http://kabinet.test/cabinets/${cabinet.cabinetId}`, {
    method: 'POST',
    headers: { cookie: await server.cookieFor(account) },
    body,
  });
  return settle(() => cabinetAction({ request, params: { cabinetId: cabinet.cabinetId }, context: context() }));
}

async function report(account: string, ranges: [number, number][], position: number, id = fileId) {
  const request = new Request(`http://kabinet.test/watch/${id}/progress`, {
    method: 'POST',
    headers: { cookie: await server.cookieFor(account), 'content-type': 'application/json' },
    body: JSON.stringify({ ranges, position }),
  });
  return settle(() => progressAction({ request, params: { fileId: id }, context: context() }));
}

const watchAs = async (account: string) =>
  settle(async () =>
    watchLoader({
      request: new Request(`http://kabinet.test/watch/${fileId}`, {
        headers: { cookie: await server.cookieFor(account) },
      }),
      params: { fileId },
      context: context(),
    }),
  );

beforeAll(async () => {
  server = await startTestServer();
  cabinet = await demoCabinet(server.services.db, 'instructor', 'MATH-101');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-lecture-'));
  const clip = path.join(dir, 'short.mp4');
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=320x180:r=25:d=4',
    '-f',
    'lavfi',
    '-i',
    'sine=d=4',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-c:a',
    'aac',
    '-shortest',
    clip,
  ]);
  const slot = cabinet.slots.find((s) => s.kind === 'lecture_video')!;
  const { finish } = await tusUploadWhole(server.url, await fs.readFile(clip), {
    cookie: await server.cookieFor('instructor'),
    metadata: { cabinetId: cabinet.cabinetId, slotId: slot.id, filename: 'short.mp4' },
  });
  fileId = finish!.headers.get('kabinet-media-file')!;
  await processLecture(server.services, fileId);
  const row = await server.services.db
    .selectFrom('media_file')
    .select(['item_id', 'processing_state'])
    .where('id', '=', fileId)
    .executeTakeFirstOrThrow();
  expect(row.processing_state).toBe('ready');
  await server.services.db
    .updateTable('item')
    .set({ status: 'published', published_at: new Date() })
    .where('id', '=', row.item_id)
    .execute();
  await fs.rm(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await server?.close();
});

describe('captions', () => {
  it("converts an instructor's SRT, serves it to the groups' students, and refuses others", async () => {
    const srt = new Blob(['1\r\n00:00:00,500 --> 00:00:02,000\r\nКиришүү\r\n'], { type: 'application/x-subrip' });
    expect(
      statusOf(await postCabinet('instructor', { intent: 'set-caption', fileId, language: 'ky', captions: srt })),
    ).toBe(200);
    const fetchCaption = async (account: string, language = 'ky') =>
      settle(async () =>
        captionLoader({
          request: new Request(`http://kabinet.test/watch/${fileId}/captions/${language}`, {
            headers: { cookie: await server.cookieFor(account) },
          }),
          params: { fileId, language },
          context: context(),
        }),
      );
    const served = (await fetchCaption('student')) as Response;
    expect(served.headers.get('content-type')).toBe('text/vtt; charset=utf-8');
    expect(await served.text()).toBe('WEBVTT\n\n00:00:00.500 --> 00:00:02.000\nКиришүү\n');
    expect(statusOf(await fetchCaption('student46'))).toBe(404); // another group
    expect(statusOf(await fetchCaption('student', 'en'))).toBe(404); // no such language
    expect(((await watchAs('student')) as { captions: string[] }).captions).toEqual(['ky']);
  });

  it('refuses a file that is not captions, a wrong language, and a student or another instructor', async () => {
    const before = await server.services.db
      .selectFrom('caption')
      .select(['language', 'vtt'])
      .where('media_file_id', '=', fileId)
      .execute();
    const bad = await postCabinet('instructor', {
      intent: 'set-caption',
      fileId,
      language: 'ru',
      captions: new Blob(['not captions at all']),
    });
    expect(statusOf(bad)).toBe(400);
    expect(JSON.stringify((bad as { data?: unknown }).data ?? bad)).toContain('captions.invalid');
    expect(
      statusOf(
        await postCabinet('instructor', {
          intent: 'set-caption',
          fileId,
          language: 'de',
          captions: new Blob(['WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n']),
        }),
      ),
    ).toBe(400);
    const good = new Blob(['WEBVTT\n\n00:01.000 --> 00:02.000\nhi\n']);
    expect(
      statusOf(await postCabinet('student', { intent: 'set-caption', fileId, language: 'en', captions: good })),
    ).toBe(403);
    expect(
      statusOf(await postCabinet('instructor2', { intent: 'set-caption', fileId, language: 'en', captions: good })),
    ).toBe(403);
    const after = await server.services.db
      .selectFrom('caption')
      .select(['language', 'vtt'])
      .where('media_file_id', '=', fileId)
      .execute();
    expect(after).toEqual(before); // nothing stored by any refused request
  });
});

describe('watch progress', () => {
  it('keeps covered seconds (overlaps counted once), the furthest point and completion at 90 %', async () => {
    const first = (await report('student2', [[0, 1.5]], 1.5)) as Response;
    expect(await first.json()).toEqual({ watchedSeconds: 1.5, completed: false });
    // The same range again and an overlapping one: 0–1.5 ∪ 1–3.2 = 3.2 s of 4 s, not 4.7.
    const second = (await report(
      'student2',
      [
        [0, 1.5],
        [1, 3.2],
      ],
      3.2,
    )) as Response;
    expect(await second.json()).toEqual({ watchedSeconds: 3.2, completed: false });
    // Skipping ahead does not count what was skipped; covering 3.6 s (90 %) completes it.
    const third = (await report(
      'student2',
      [
        [3.2, 3.6],
        [3.9, 99],
      ],
      1,
    )) as Response;
    expect(await third.json()).toEqual({ watchedSeconds: 3.7, completed: true });
    const row = await server.services.db
      .selectFrom('watch_progress')
      .selectAll()
      .where('media_file_id', '=', fileId)
      .where('user_id', '=', await server.userId('student2'))
      .executeTakeFirstOrThrow();
    expect(row.furthest_seconds).toBeCloseTo(4, 0); // clipped to the lecture's length
    expect(row.last_position_seconds).toBe(1);
    // The player resumes where the student left off.
    expect(((await watchAs('student2')) as { resumeAt: number }).resumeAt).toBe(1);
  });

  it('refuses reports from staff, from another group and bad bodies', async () => {
    expect(statusOf(await report('instructor', [[0, 1]], 1))).toBe(404);
    expect(statusOf(await report('head', [[0, 1]], 1))).toBe(404);
    expect(statusOf(await report('student46', [[0, 1]], 1))).toBe(404);
    const garbled = new Request(`http://kabinet.test/watch/${fileId}/progress`, {
      method: 'POST',
      headers: { cookie: await server.cookieFor('student3') },
      body: '{"ranges":"all"}',
    });
    expect(
      statusOf(await settle(() => progressAction({ request: garbled, params: { fileId }, context: context() }))),
    ).toBe(400);
    const rows = await server.services.db
      .selectFrom('watch_progress')
      .select('user_id')
      .where('media_file_id', '=', fileId)
      .execute();
    expect(rows).toEqual([{ user_id: await server.userId('student2') }]);
  });

  it('shows the instructor and the head every student of the groups; students see no table', async () => {
    const table = (
      (await watchAs('instructor')) as {
        viewers: { rows: { name: string; watchedSeconds: number; completed: boolean }[] };
      }
    ).viewers;
    expect(table.rows).toHaveLength(30); // ПМИ-1-24 and ПМИ-2-24з, watched or not
    expect(table.rows.filter((row) => row.completed)).toHaveLength(1);
    expect(((await watchAs('head')) as { viewers: unknown }).viewers).not.toBeNull();
    expect(((await watchAs('student2')) as { viewers: unknown }).viewers).toBeNull();
  });
});

describe('retrying a failed lecture', () => {
  it('lets only the owner queue it again, once', async () => {
    // Its ladder failed after the playable stage was published.
    await server.services.db
      .updateTable('media_file')
      .set({ processing_state: 'failed', hls_complete: false, failure_key: 'media.refused.processing_failed' })
      .where('id', '=', fileId)
      .execute();
    // The ladder job its first processing queued ran (no worker here: marked as pg-boss would).
    await sql`update pgboss.job set state = 'completed', completed_on = now() where name = 'complete-video-ladder' and data->>'mediaFileId' = ${fileId} and state < 'active'`.execute(
      server.services.db,
    );
    const queued = async () =>
      (
        await sql<{
          n: string;
        }>`select count(*) as n from pgboss.job where name = 'complete-video-ladder' and data->>'mediaFileId' = ${fileId}`.execute(
          server.services.db,
        )
      ).rows[0]!.n;
    const before = Number(await queued());
    expect(statusOf(await postCabinet('student', { intent: 'retry-processing', fileId }))).toBe(403);
    expect(statusOf(await postCabinet('instructor2', { intent: 'retry-processing', fileId }))).toBe(403);
    expect(
      (
        await server.services.db
          .selectFrom('media_file')
          .select('processing_state')
          .where('id', '=', fileId)
          .executeTakeFirstOrThrow()
      ).processing_state,
    ).toBe('failed');
    expect(statusOf(await postCabinet('instructor', { intent: 'retry-processing', fileId }))).toBe(200);
    expect(statusOf(await postCabinet('instructor', { intent: 'retry-processing', fileId }))).toBe(200); // a double click
    const row = await server.services.db
      .selectFrom('media_file')
      .select(['processing_state', 'hls_complete', 'failure_key'])
      .where('id', '=', fileId)
      .executeTakeFirstOrThrow();
    // Playable again at once (its first stage is published), while the ladder's job completes it.
    expect(row).toEqual({ processing_state: 'ready', hls_complete: false, failure_key: null });
    expect(Number(await queued())).toBe(before + 1);
  });
});
