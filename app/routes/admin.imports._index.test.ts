// Imports as the admin runs them: the upload (cut off at the limit, refused to others before its
// body is read), the worker's preview with its progress and report, one apply however often it is
// asked for, and a session that ends while the preview runs.
import type { AppLoadContext } from '@remix-run/node';
import { readdir, readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { action as uploadAction } from './admin.imports._index.tsx';
import { action as applyAction } from './admin.imports.$runId.tsx';
import { sheet, tempDir, workbookFile } from '../../tests/helpers/import-files.ts';
import { settle, statusOf } from '../../tests/helpers/route-calls.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { revokeSession } from '../../server/auth/sessions.ts';
import { importRun } from '../../workers/handlers/import-run.ts';
import { runImportJob } from '../../server/admin/imports.ts';

let server: TestServer;
let context: AppLoadContext;
let dir: string;
beforeAll(async () => {
  server = await startTestServer();
  context = { services: server.services, clientIp: '127.0.0.1' };
  dir = await tempDir();
});
afterAll(() => server?.close());

/** A multipart body streamed from parts (`file` a generator of chunks), counting what was read of it. */
function multipart(fields: Record<string, string>, file: { name: string; chunks: () => Generator<Uint8Array> } | null) {
  const boundary = 'kabinet-test-boundary';
  const encoder = new TextEncoder();
  let sent = 0;
  const parts = function* () {
    for (const [name, value] of Object.entries(fields))
      yield encoder.encode(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
    if (file) {
      yield encoder.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
      );
      yield* file.chunks();
      yield encoder.encode('\r\n');
    }
    yield encoder.encode(`--${boundary}--\r\n`);
  };
  const iterator = parts();
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = iterator.next();
        if (next.done) return controller.close();
        sent += next.value.byteLength;
        controller.enqueue(next.value);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, boundary, sent: () => sent };
}

async function upload(
  account: string,
  file: { name: string; chunks: () => Generator<Uint8Array> } | null,
  fields: Record<string, string> = { term: '' },
) {
  const { body, boundary, sent } = multipart(fields, file);
  const request = new Request('http://kabinet.test/admin/imports', {
    method: 'POST',
    headers: { cookie: await server.cookieFor(account), 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
    duplex: 'half',
  } as RequestInit);
  return { result: await settle(() => uploadAction({ request, params: {}, context })), sent };
}

const fileOf = (bytes: Buffer, name = 'university.xlsx') => ({
  name,
  chunks: function* () {
    yield new Uint8Array(bytes);
  },
});
const job = (runId: string, apply: boolean) =>
  runImportJob(
    {
      db: server.services.db,
      storage: server.services.storage,
      logger: server.services.logger,
      workDir: path.join(server.dataDir, 'work'),
      invitations: undefined,
    },
    { runId, apply },
  );
const runOf = (id: string) =>
  server.services.db.selectFrom('import_run').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('uploading an import', () => {
  it('refuses anyone but the admin before reading the body', async () => {
    const { result, sent } = await upload('head', fileOf(Buffer.alloc(1000)));
    expect(statusOf(result)).toBe(403);
    expect(sent()).toBe(0);
  });

  it('cuts a 100 MB upload off at the limit with the limit named, and keeps nothing of it', async () => {
    const mib = new Uint8Array(2 ** 20);
    const { result, sent } = await upload('admin', {
      name: 'huge.xlsx',
      chunks: function* () {
        for (let i = 0; i < 100; i++) yield mib;
      },
    });
    expect(statusOf(result)).toBe(413);
    expect((result as { data: { error: { messageKey: string; params: unknown } } }).data.error).toEqual({
      messageKey: 'import.problems.file_too_large',
      params: { maxMib: 64 },
    });
    expect(sent()).toBeLessThan(80 * 2 ** 20);
    expect(await readdir(path.join(server.services.config.spoolDir, 'imports'))).toEqual([]);
    expect(
      await server.services.db.selectFrom('import_run').select('id').where('file_name', '=', 'huge.xlsx').execute(),
    ).toEqual([]);
  });

  it('previews in the worker with its progress, then applies once however often it is asked', async () => {
    const workbook = await workbookFile(
      dir,
      [
        sheet(
          'faculties',
          ['code', 'name_ky'],
          [
            ['UP-1', 'Жүктөлгөн факультет'],
            ['UP-2', ''],
          ],
        ),
      ],
      'upload.xlsx',
    );
    const { result } = await upload('admin', fileOf(await readFile(workbook), 'upload.xlsx'));
    const location = (result as Response).headers.get('location')!;
    const runId = location.split('/').pop()!;
    expect((await runOf(runId)).state).toBe('previewing');
    const queued = await sql<{
      n: string;
    }>`select count(*) as n from pgboss.job where name = 'import-run' and data ->> 'runId' = ${runId}`.execute(
      server.services.db,
    );
    expect(Number(queued.rows[0]!.n)).toBe(1);

    await job(runId, false);
    const previewed = await runOf(runId);
    expect(previewed.state).toBe('previewed');
    expect(previewed.progress).toMatchObject({ phase: 'done', rows: { faculties: 2 } });
    expect(previewed.report).toMatchObject({ outcome: 'preview', kinds: { faculties: { created: 1, errors: 1 } } });

    const cookie = await server.cookieFor('admin');
    const apply = () =>
      settle(() =>
        applyAction({
          request: new Request(`http://kabinet.test${location}`, {
            method: 'POST',
            headers: { cookie },
            body: new URLSearchParams({ validOnly: 'on' }),
          }),
          params: { runId },
          context,
        }),
      );
    // Invitations need e-mail, which this server has not: refused, and the run still waits.
    const invite = await settle(() =>
      applyAction({
        request: new Request(`http://kabinet.test${location}`, {
          method: 'POST',
          headers: { cookie },
          body: new URLSearchParams({ validOnly: 'on', invite: 'on' }),
        }),
        params: { runId },
        context,
      }),
    );
    expect([statusOf(invite), (await runOf(runId)).state]).toEqual([400, 'previewed']);
    const statuses = (await Promise.all([apply(), apply(), apply()])).map(statusOf).sort();
    expect(statuses).toEqual([200, 409, 409]);
    await job(runId, true);
    expect((await runOf(runId)).state).toBe('applied');
    // The job delivered twice does nothing the second time.
    await job(runId, true);
    expect(
      await server.services.db.selectFrom('faculty').select('code').where('code', 'like', 'UP-%').execute(),
    ).toEqual([{ code: 'UP-1' }]);
  });

  it('does not run a delivery again after the worker died on it: the run is marked failed', async () => {
    const run = await server.services.db
      .insertInto('import_run')
      .values({
        created_by: await server.userId('admin'),
        file_name: 'killer.xlsx',
        storage_key: 'imports/none/upload',
        byte_size: 1,
        state: 'previewing',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await importRun(server.services)(
      { runId: run.id, apply: false },
      { id: 'job', retryCount: 1, retryLimit: 3, signal: new AbortController().signal },
    );
    expect((await runOf(run.id)).state).toBe('failed');
  });

  it('sends an admin whose session ended during the preview to log in, and applies nothing', async () => {
    const workbook = await workbookFile(
      dir,
      [sheet('faculties', ['code', 'name_ky'], [['LATE-1', 'Кеч']])],
      'late.xlsx',
    );
    const cookie = await server.cookieFor('admin');
    const { body, boundary } = multipart({ term: '' }, fileOf(await readFile(workbook), 'late.xlsx'));
    const started = await uploadAction({
      request: new Request('http://kabinet.test/admin/imports', {
        method: 'POST',
        headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
        duplex: 'half',
      } as RequestInit),
      params: {},
      context,
    }).catch((thrown: unknown) => thrown);
    const runId = (started as Response).headers.get('location')!.split('/').pop()!;
    await job(runId, false);
    await revokeSession(server.services.db, cookie.split('=')[1]!);
    const refused = await settle(() =>
      applyAction({
        request: new Request(`http://kabinet.test/admin/imports/${runId}`, {
          method: 'POST',
          headers: { cookie },
          body: new URLSearchParams({}),
        }),
        params: { runId },
        context,
      }),
    );
    expect(statusOf(refused)).toBe(302);
    // Back to the same page after signing in, told why (components/form-keeper.tsx).
    expect((refused as Response).headers.get('location')).toBe(
      `/login?${new URLSearchParams({ redirectTo: `/admin/imports/${runId}?resumed=1`, expired: '1' })}`,
    );
    expect((await runOf(runId)).state).toBe('previewed');
    expect(
      await server.services.db.selectFrom('faculty').select('code').where('code', '=', 'LATE-1').execute(),
    ).toEqual([]);
  });
});
