import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { sql } from 'kysely';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAbandonedUploads } from '../../workers/handlers/cleanup-abandoned-uploads.ts';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { trickle } from '../../tests/helpers/trickle.ts';
import { tusCreate, tusPatch, tusUploadWhole } from '../../tests/helpers/tus-requests.ts';
import { sweepSpool } from '../uploads/spool-sweep.ts';
import { finishUpload } from '../uploads/finish-upload.ts';

const MiB = 1024 * 1024;
let server: TestServer;
let cabinet: Awaited<ReturnType<typeof demoCabinet>>;
let owner: string;

const pdf = (size: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);
const mp4 = (size: number) =>
  Buffer.concat([Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex'), randomBytes(size - 24)]);
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const spoolFiles = () => fs.readdir(server.services.config.spoolDir);
const lectureSlot = () => cabinet.slots.find((slot) => slot.kind === 'lecture_video')!;
const practicalSlot = (n = 1) => cabinet.slots.filter((slot) => slot.kind === 'practical_material')[n - 1]!;
const countRows = async (table: 'upload' | 'media_file' | 'item') =>
  Number(
    (
      await server.services.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const setLocale = (account: string, locale: 'ky' | 'ru' | 'en') =>
  server.services.db
    .updateTable('app_user')
    .set({ locale })
    .where('email', '=', `${account}@demo.kabinet.kg`)
    .execute();

beforeAll(async () => {
  server = await startTestServer();
  cabinet = await demoCabinet(server.services.db, 'instructor', 'MATH-101');
  owner = await server.cookieFor('instructor');
});
afterAll(() => server?.close());

describe('resumable upload over real HTTP', () => {
  it('resumes a 50 MB upload aborted midway: same sha256, one item, one stored file, at most one chunk sent twice', async () => {
    const data = pdf(50 * MiB);
    const chunkSize = 8 * MiB;
    const slot = practicalSlot(1);
    const options = (extra: Partial<tus.UploadOptions>): tus.UploadOptions => ({
      endpoint: `${server.url}/uploads`,
      chunkSize,
      headers: { Cookie: owner },
      metadata: { cabinetId: cabinet.cabinetId, slotId: slot.id, filename: 'Практика 1.pdf' },
      retryDelays: [],
      ...extra,
    });

    let sentBeforeAbort = 0;
    const first = await new Promise<tus.Upload>((resolve, reject) => {
      const upload: tus.Upload = new tus.Upload(
        data,
        options({
          onProgress(sent) {
            sentBeforeAbort = sent;
            if (sent >= 25 * MiB) void upload.abort().then(() => resolve(upload));
          },
          onError: reject,
          onSuccess: () => reject(new Error('should not finish')),
        }),
      );
      upload.start();
    });
    expect(first.url).toBeTruthy();
    const head = await fetch(first.url!, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', Cookie: owner } });
    const serverOffset = Number(head.headers.get('upload-offset'));
    expect(serverOffset).toBeGreaterThan(0);
    expect(serverOffset).toBeLessThan(data.length);
    expect(await countRows('media_file')).toBe(0);

    let firstProgress = -1;
    await new Promise<void>((resolve, reject) => {
      new tus.Upload(
        data,
        options({
          uploadUrl: first.url!,
          onProgress(sent) {
            if (firstProgress < 0) firstProgress = sent;
          },
          onError: reject,
          onSuccess: () => resolve(),
        }),
      ).start();
    });
    // Resumed where the server stopped, not from zero; at most one chunk travels twice.
    expect(sentBeforeAbort - serverOffset).toBeLessThanOrEqual(chunkSize);
    expect(firstProgress).toBeGreaterThanOrEqual(serverOffset);

    const files = await server.services.db.selectFrom('media_file').selectAll().execute();
    expect(files).toHaveLength(1);
    expect(files[0]!.sha256).toBe(sha256(data));
    expect(Number(files[0]!.byte_size)).toBe(data.length);
    expect(files[0]!.content_type).toBe('application/pdf');
    const items = await server.services.db.selectFrom('item').selectAll().where('slot_id', '=', slot.id).execute();
    expect(items).toHaveLength(1);
    expect(files[0]!.item_id).toBe(items[0]!.id);
    expect(await server.services.storage.list('originals/')).toEqual([files[0]!.storage_key]);
    const stored = Buffer.concat(await Array.fromAsync(await server.services.storage.read(files[0]!.storage_key)));
    expect(sha256(stored)).toBe(sha256(data));
    expect(await spoolFiles()).toEqual([]);
  });

  it('records a video as awaiting processing and enqueues its job in the same transaction', async () => {
    const { finish } = await tusUploadWhole(server.url, mp4(64 * 1024), {
      cookie: owner,
      metadata: { cabinetId: cabinet.cabinetId, slotId: lectureSlot().id, filename: 'lecture-1.mp4' },
    });
    expect(finish?.status).toBe(204);
    const fileId = finish!.headers.get('kabinet-media-file')!;
    const file = await server.services.db
      .selectFrom('media_file')
      .selectAll()
      .where('id', '=', fileId)
      .executeTakeFirstOrThrow();
    expect(file.processing_state).toBe('awaiting');
    expect(file.file_kind).toBe('video');
    const jobs = await sql<{
      n: string;
    }>`select count(*) as n from pgboss.job where name = 'transcode-video' and data->>'mediaFileId' = ${fileId}`.execute(
      server.services.db,
    );
    expect(Number(jobs.rows[0]!.n)).toBe(1);
  });

  it('records nothing and leaves no object when the recording transaction fails, keeping the spooled bytes', async () => {
    const body = mp4(4096);
    const create = await tusCreate(server.url, {
      cookie: owner,
      length: String(body.length),
      metadata: {
        cabinetId: cabinet.cabinetId,
        slotId: cabinet.slots.filter((slot) => slot.kind === 'lecture_video')[1]!.id,
        filename: 'lecture-2.mp4',
      },
    });
    const id = create.headers.get('location')!.split('/').pop()!;
    await fs.writeFile(path.join(server.services.config.spoolDir, id), body);
    const before = await server.services.storage.list('originals/');
    // The job cannot be enqueued: the transaction that records the file must roll back whole.
    const failingQueue = { ...server.services.queue, enqueue: async () => Promise.reject(new Error('queue down')) };
    const deps = {
      db: server.services.db,
      storage: server.services.storage,
      queue: failingQueue,
      spoolDir: server.services.config.spoolDir,
    };
    await expect(finishUpload(deps, id)).rejects.toThrow('queue down');
    expect(await server.services.storage.list('originals/')).toEqual(before);
    expect(
      await server.services.db.selectFrom('media_file').select('id').where('upload_id', '=', id).execute(),
    ).toEqual([]);
    expect(await spoolFiles()).toContain(id);
    // Once the queue is back, finishing records exactly one file, however often it runs.
    const once = await finishUpload({ ...deps, queue: server.services.queue }, id);
    const twice = await finishUpload({ ...deps, queue: server.services.queue }, id);
    expect(twice).toEqual(once);
    expect(
      await server.services.db.selectFrom('media_file').select('id').where('upload_id', '=', id).execute(),
    ).toHaveLength(1);
  });
});

describe('extra items', () => {
  it('uploads into an extra item of the cabinet, and not into an item of another cabinet', async () => {
    const { createExtraItem } = await import('../cabinets/items.ts');
    const itemId = await createExtraItem(server.services.db, { user: cabinet.user, ip: null }, cabinet.cabinetId, {
      title: 'Кошумча',
      description: '',
    });
    const { finish } = await tusUploadWhole(server.url, pdf(3000), {
      cookie: owner,
      metadata: { cabinetId: cabinet.cabinetId, itemId, filename: 'extra.pdf' },
    });
    expect(finish?.status).toBe(204);
    const file = await server.services.db
      .selectFrom('media_file')
      .select('item_id')
      .where('id', '=', finish!.headers.get('kabinet-media-file')!)
      .executeTakeFirstOrThrow();
    expect(file.item_id).toBe(itemId);

    const other = await demoCabinet(server.services.db, 'instructor', 'CS-102');
    const foreign = await tusCreate(server.url, {
      cookie: owner,
      metadata: { cabinetId: other.cabinetId, itemId, filename: 'x.pdf' },
    });
    expect(foreign.status).toBe(404);
    const both = await tusCreate(server.url, {
      cookie: owner,
      metadata: { cabinetId: cabinet.cabinetId, itemId, slotId: practicalSlot(4).id, filename: 'x.pdf' },
    });
    expect(both.status).toBe(400);
  });
});

describe('bad upload input', () => {
  const meta = (filename: string, slot = practicalSlot(3)) => ({
    cabinetId: cabinet.cabinetId,
    slotId: slot.id,
    filename,
  });

  it('refuses a file the slot does not take before a byte is sent: a document in a lecture, a recording in an assessment', async () => {
    await setLocale('instructor', 'en');
    const pdfInLecture = await tusCreate(server.url, { cookie: owner, metadata: meta('Конспект.pdf', lectureSlot()) });
    expect(pdfInLecture.status).toBe(415);
    expect(await pdfInLecture.text()).toContain('Конспект.pdf: a lecture slot takes a recording, video or audio');
    const assessment = cabinet.slots.find((slot) => slot.kind === 'interim_assessment')!;
    expect((await tusCreate(server.url, { cookie: owner, metadata: meta('answers.mp3', assessment) })).status).toBe(
      415,
    );
    await setLocale('instructor', 'ky');
    // A practical material takes a video beside its documents.
    const video = await tusCreate(server.url, { cookie: owner, metadata: meta('demo.mp4', practicalSlot(5)) });
    expect(video.status).toBe(201);
    expect(
      await server.services.db
        .selectFrom('upload')
        .select('file_name')
        .where('file_name', '=', 'Конспект.pdf')
        .execute(),
    ).toEqual([]);
  });

  it.each([
    ['a document above its limit', 'big.pdf', String(201 * MiB), 413],
    ['a video above its limit', 'big.mp4', String(8 * 1024 * MiB + 1), 413],
    ['a non-numeric length', 'a.pdf', 'abc', 400],
    ['a negative length', 'a.pdf', '-5', 400],
    ['an empty file', 'a.pdf', '0', 400],
  ])('refuses %s before a byte is stored', async (_label, filename, length, status) => {
    const uploadsBefore = await countRows('upload');
    const response = await tusCreate(server.url, { cookie: owner, length, metadata: meta(filename) });
    expect(response.status).toBe(status);
    expect(await countRows('upload')).toBe(uploadsBefore);
    expect(await spoolFiles()).not.toContain(expect.stringMatching(/^[0-9a-f]{32}$/));
  });

  it('refuses an upload that names neither a slot nor an item before a byte is stored', async () => {
    const uploadsBefore = await countRows('upload');
    const response = await tusCreate(server.url, {
      cookie: owner,
      metadata: { cabinetId: cabinet.cabinetId, filename: 'a.pdf' },
    });
    expect(response.status).toBe(400);
    expect(await countRows('upload')).toBe(uploadsBefore);
  });

  it("refuses PATCH requests that break the tus rules, in the user's language, and keeps the upload resumable", async () => {
    const body = pdf(64 * 1024);
    const create = await tusCreate(server.url, {
      cookie: owner,
      length: String(body.length),
      metadata: meta('rules.pdf', practicalSlot(4)),
    });
    const url = new URL(create.headers.get('location')!, server.url).href;
    const patch = (headers: Record<string, string>, data: Buffer = body) =>
      fetch(url, {
        method: 'PATCH',
        headers: {
          'Tus-Resumable': '1.0.0',
          'Content-Type': 'application/offset+octet-stream',
          'Upload-Offset': '0',
          Cookie: owner,
          ...headers,
        },
        body: new Uint8Array(data),
      });
    const wrongVersion = await patch({ 'Tus-Resumable': '0.2.2' });
    expect(wrongVersion.status).toBe(412);
    expect(wrongVersion.headers.get('tus-version')).toBe('1.0.0');
    expect((await patch({ 'Upload-Offset': 'x' })).status).toBe(400);
    expect((await patch({ 'Content-Type': 'application/octet-stream' })).status).toBe(415);
    expect((await patch({}, Buffer.concat([body, Buffer.alloc(10)]))).status).toBe(413);
    // Half of it, then a retry of the same chunk: 409 with the offset to continue from, in Russian.
    expect((await patch({}, body.subarray(0, 1000))).status).toBe(204);
    await setLocale('instructor', 'ru');
    const conflict = await patch({ 'Upload-Offset': '0' });
    await setLocale('instructor', 'ky');
    expect(conflict.status).toBe(409);
    expect(await conflict.text()).toContain('На сервере уже 1000 байт');
    const rest = await patch({ 'Upload-Offset': '1000' }, body.subarray(1000));
    expect(rest.status).toBe(204);
    expect(rest.headers.get('upload-offset')).toBe(String(body.length));
    expect(rest.headers.get('kabinet-media-file')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lets a resuming client take over an upload whose PATCH stalled on a dead connection', async () => {
    const size = 4 * MiB;
    const body = pdf(size);
    const create = await tusCreate(server.url, {
      cookie: owner,
      length: String(size),
      metadata: meta('stalled.pdf', practicalSlot(5)),
    });
    const url = new URL(create.headers.get('location')!, server.url);
    // A PATCH that sends 1 MiB of its 4 MiB and then goes silent, its connection left open.
    const stalled = http.request(url, {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': '1.0.0',
        'Content-Type': 'application/offset+octet-stream',
        'Upload-Offset': '0',
        'Content-Length': String(size),
        Cookie: owner,
      },
    });
    stalled.on('error', () => undefined);
    stalled.write(body.subarray(0, MiB));
    const spooled = path.join(server.services.config.spoolDir, url.pathname.split('/').pop()!);
    await expect.poll(async () => (await fs.stat(spooled)).size, { timeout: 5000 }).toBe(MiB);
    // The client reconnects: HEAD takes the lock from the stalled PATCH and learns what arrived.
    const head = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', Cookie: owner } });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(MiB));
    const rest = await tusPatch(url.href, body.subarray(MiB), { cookie: owner, offset: MiB });
    expect(rest.status).toBe(204);
    stalled.destroy();
    const stored = await server.services.db
      .selectFrom('media_file')
      .select('sha256')
      .where('upload_id', '=', url.pathname.split('/').pop()!)
      .executeTakeFirstOrThrow();
    expect(stored.sha256).toBe(sha256(body));
  });

  it('refuses a missing length and a deferred length', async () => {
    expect((await tusCreate(server.url, { cookie: owner, length: null, metadata: meta('a.pdf') })).status).toBe(400);
    const deferred = await tusCreate(server.url, {
      cookie: owner,
      length: null,
      metadata: meta('a.pdf'),
      headers: { 'Upload-Defer-Length': '1' },
    });
    expect(deferred.status).toBe(400);
  });

  it("refuses a disallowed type by name, with a message in the user's language", async () => {
    await setLocale('instructor', 'en');
    const response = await tusCreate(server.url, { cookie: owner, metadata: meta('setup.exe') });
    expect(response.status).toBe(415);
    expect(await response.text()).toContain('setup.exe: files of this type are not accepted');
    await setLocale('instructor', 'ky');
    const svg = await tusCreate(server.url, { cookie: owner, metadata: meta('diagram.svg') });
    expect(svg.status).toBe(415);
    expect(await svg.text()).toContain('кабыл алынбайт'); // Kyrgyz by default
  });

  it.each([
    [
      'an executable renamed .pdf',
      'report.pdf',
      Buffer.concat([
        Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff'),
        Buffer.alloc(200),
        Buffer.from('PE\0\0'),
        randomBytes(2000),
      ]),
    ],
    ['HTML with a script named .txt', 'notes.txt', Buffer.from('<!doctype html><script>alert(1)</script>')],
    [
      'SVG with a script named .png',
      'image.png',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ],
    ['random bytes named .docx', 'essay.docx', randomBytes(5000)],
  ])('refuses %s by content and keeps nothing', async (_label, filename, body) => {
    const objectsBefore = await server.services.storage.list('originals/');
    await setLocale('instructor', 'ru');
    const { create, finish, url } = await tusUploadWhole(server.url, body, { cookie: owner, metadata: meta(filename) });
    await setLocale('instructor', 'ky');
    expect(create.status).toBe(201);
    expect(finish?.status).toBe(415);
    expect(await finish!.text()).toContain('содержимое не является допустимым');
    const id = url!.split('/').pop()!;
    expect(await server.services.db.selectFrom('upload').select('id').where('id', '=', id).execute()).toEqual([]);
    expect(
      await server.services.db.selectFrom('media_file').select('id').where('upload_id', '=', id).execute(),
    ).toEqual([]);
    expect(await spoolFiles()).not.toContain(id);
    expect(await spoolFiles()).not.toContain(`${id}.json`);
    expect(await server.services.storage.list('originals/')).toEqual(objectsBefore);
  });

  it('refuses a wrong file after its first 64 KiB, not after its last byte, and keeps nothing', async () => {
    // 3.5 GiB declared as a lecture: random bytes, sent as one PATCH, 64 KiB at a time.
    const size = 3.5 * 1024 * MiB;
    const create = await tusCreate(server.url, {
      cookie: owner,
      length: String(size),
      metadata: { cabinetId: cabinet.cabinetId, slotId: lectureSlot().id, filename: 'Лекция.mp4' },
    });
    expect(create.status).toBe(201);
    const location = create.headers.get('location')!;
    const id = location.split('/').pop()!;
    const head = {
      line: `PATCH ${location} HTTP/1.1`,
      Cookie: owner,
      'Tus-Resumable': '1.0.0',
      'Upload-Offset': '0',
      'Content-Type': 'application/offset+octet-stream',
      'Content-Length': String(size),
    };
    const outcome = await trickle(server.url, head, randomBytes(64 * MiB), 64 * 1024, 5);
    expect(outcome.status).toBe(415);
    expect(outcome.sent).toBeLessThan(4 * MiB); // answered while the client was still sending
    expect(await server.services.db.selectFrom('upload').select('id').where('id', '=', id).execute()).toEqual([]);
    expect(await spoolFiles()).not.toContain(id);
    expect(await spoolFiles()).not.toContain(`${id}.json`);
  });

  it('lets a real file through the early check when it arrives in pieces smaller than the check reads', async () => {
    const body = mp4(300 * 1024);
    const create = await tusCreate(server.url, {
      cookie: owner,
      length: String(body.length),
      metadata: { cabinetId: cabinet.cabinetId, slotId: lectureSlot().id, filename: 'pieces.mp4' },
    });
    const url = new URL(create.headers.get('location')!, server.url).href;
    // 40 KiB, then the rest from there: the check reads the first 24 KiB back from the spool file.
    expect((await tusPatch(url, body.subarray(0, 40 * 1024), { cookie: owner })).status).toBe(204);
    const rest = await tusPatch(url, body.subarray(40 * 1024), { cookie: owner, offset: 40 * 1024 });
    expect(rest.status).toBe(204);
    expect(rest.headers.get('kabinet-media-file')).toBeTruthy();
  });

  it.each([
    ['no session', null, 401],
    ['a student of the group', 'student', 403],
    ['another instructor of the department', 'instructor2', 403],
    ['the head of the department', 'head', 403],
    ['the admin', 'admin', 403],
  ])('refuses an upload into the cabinet by %s', async (_label, account, status) => {
    const cookie = account ? await server.cookieFor(account) : undefined;
    const response = await tusCreate(server.url, { cookie, metadata: meta('a.pdf') });
    expect(response.status).toBe(status);
  });

  it("refuses HEAD, PATCH, DELETE and GET of someone else's upload", async () => {
    const create = await tusCreate(server.url, { cookie: owner, length: '5000', metadata: meta('mine.pdf') });
    const url = new URL(create.headers.get('location')!, server.url).href;
    await tusPatch(url, pdf(1000), { cookie: owner });
    for (const account of ['instructor2', 'student', 'head']) {
      const cookie = await server.cookieFor(account);
      for (const method of ['HEAD', 'PATCH', 'DELETE', 'GET']) {
        const response = await fetch(url, {
          method,
          headers: {
            'Tus-Resumable': '1.0.0',
            Cookie: cookie,
            'Upload-Offset': '1000',
            'Content-Type': 'application/offset+octet-stream',
          },
          body: method === 'PATCH' ? randomBytes(100) : undefined,
        });
        expect([403, 404], `${account} ${method}`).toContain(response.status);
      }
    }
    // A refused PATCH with a body larger than what the server gathers before reading it.
    const big = await fetch(url, {
      method: 'PATCH',
      headers: {
        'Tus-Resumable': '1.0.0',
        Cookie: await server.cookieFor('instructor2'),
        'Upload-Offset': '1000',
        'Content-Type': 'application/offset+octet-stream',
      },
      body: new Uint8Array(randomBytes(5 * MiB)),
    });
    expect(big.status).toBe(404);
    const anonymous = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } });
    expect(anonymous.status).toBe(401);
    const mine = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', Cookie: owner } });
    expect(mine.headers.get('upload-offset')).toBe('1000');
  });

  it('answers 404 to upload ids with ../ or encoded separators and touches nothing outside the spool', async () => {
    const sentinel = path.join(server.dataDir, 'sentinel.txt');
    await fs.writeFile(sentinel, 'keep');
    const port = new URL(server.url).port;
    const raw = (method: string, rawPath: string) =>
      new Promise<number>((resolve, reject) => {
        const request = http.request(
          {
            host: '127.0.0.1',
            port,
            method,
            path: rawPath,
            headers: {
              'Tus-Resumable': '1.0.0',
              Cookie: owner,
              'Upload-Offset': '0',
              'Content-Type': 'application/offset+octet-stream',
            },
          },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        request.on('error', reject);
        request.end(method === 'PATCH' ? 'overwrite' : undefined);
      });
    for (const rawPath of [
      '/uploads/..%2Fsentinel.txt',
      '/uploads/%2e%2e%2fsentinel.txt',
      '/uploads/..%5Csentinel.txt',
      '/uploads/..%252Fsentinel.txt',
    ]) {
      for (const method of ['HEAD', 'PATCH', 'DELETE', 'GET']) {
        expect(await raw(method, rawPath), `${method} ${rawPath}`).toBe(404);
      }
    }
    expect(await fs.readFile(sentinel, 'utf8')).toBe('keep');
  });

  it('refuses mutations from another origin', async () => {
    const evil = await tusCreate(server.url, {
      cookie: owner,
      metadata: meta('a.pdf'),
      headers: { Origin: 'http://evil.example' },
    });
    expect(evil.status).toBe(403);
    const crossSite = await tusCreate(server.url, {
      cookie: owner,
      metadata: meta('a.pdf'),
      headers: { 'Sec-Fetch-Site': 'cross-site' },
    });
    expect(crossSite.status).toBe(403);
    const sameOrigin = await tusCreate(server.url, {
      cookie: owner,
      metadata: meta('a.pdf'),
      headers: { Origin: server.url, 'Sec-Fetch-Site': 'same-origin' },
    });
    expect(sameOrigin.status).toBe(201);
    const login = await fetch(`${server.url}/login`, {
      method: 'POST',
      headers: { Origin: 'http://evil.example' },
      body: new URLSearchParams({ email: 'x', password: 'y' }),
    });
    expect(login.status).toBe(403);
  });

  it('removes uploads abandoned for longer than the configured time, with their spool files', async () => {
    const stale = await tusCreate(server.url, { cookie: owner, length: '5000', metadata: meta('stale.pdf') });
    const fresh = await tusCreate(server.url, { cookie: owner, length: '5000', metadata: meta('fresh.pdf') });
    const slow = await tusCreate(server.url, { cookie: owner, length: '5000', metadata: meta('slow.pdf') });
    const [staleId, freshId, slowId] = [stale, fresh, slow].map((r) =>
      r.headers.get('location')!.split('/').pop()!,
    ) as [string, string, string];
    await tusPatch(new URL(stale.headers.get('location')!, server.url).href, pdf(100), { cookie: owner, offset: 0 });
    const dayAgo = new Date(Date.now() - 25 * 3600_000);
    await server.services.db
      .updateTable('upload')
      .set({ last_activity_at: dayAgo })
      .where('id', 'in', [staleId, slowId])
      .execute();
    await fs.utimes(path.join(server.services.config.spoolDir, staleId), dayAgo, dayAgo);
    // `slow` is still receiving bytes through one long request: its spool file was written just now.

    await cleanupAbandonedUploads(server.services)(
      {},
      { id: 'test', retryCount: 0, retryLimit: 0, signal: new AbortController().signal },
    );

    const left = (
      await server.services.db.selectFrom('upload').select('id').where('id', 'in', [staleId, freshId, slowId]).execute()
    ).map((r) => r.id);
    expect(left.sort()).toEqual([freshId, slowId].sort());
    expect(await spoolFiles()).not.toContain(staleId);
    expect(await spoolFiles()).not.toContain(`${staleId}.json`);
    expect(await spoolFiles()).toContain(freshId);
  });

  it('leaves no spool file behind when the clean-up job runs on a machine without this spool', async () => {
    const spool = server.services.config.spoolDir;
    const created = await Promise.all(
      ['gone.pdf', 'writing.pdf', 'recorded.pdf'].map((name) =>
        tusCreate(server.url, { cookie: owner, length: '5000', metadata: meta(name) }),
      ),
    );
    const [goneId, writingId, recordedId] = created.map((r) => r.headers.get('location')!.split('/').pop()!) as [
      string,
      string,
      string,
    ];
    const dayAgo = new Date(Date.now() - 25 * 3600_000);
    const hourAgo = new Date(Date.now() - 3600_000);
    const setIdle = (id: string, since: Date) =>
      server.services.db.updateTable('upload').set({ last_activity_at: since }).where('id', '=', id).execute();
    const touch = async (id: string, at: Date) => {
      for (const file of [id, `${id}.json`]) await fs.utimes(path.join(spool, file), at, at);
    };
    await setIdle(goneId, dayAgo);
    await touch(goneId, hourAgo);
    // `recorded` was recorded, but its process stopped before removing its spool files.
    await server.services.db
      .updateTable('upload')
      .set({ finished_at: new Date() })
      .where('id', '=', recordedId)
      .execute();
    await touch(recordedId, hourAgo);

    // The job on a worker with a spool of its own (another machine) sees no file of these.
    const elsewhere = await fs.mkdtemp(path.join(path.dirname(spool), 'worker-spool-'));
    const worker = { ...server.services, config: { ...server.services.config, spoolDir: elsewhere } };
    const runJob = () =>
      cleanupAbandonedUploads(worker)(
        {},
        { id: 'test', retryCount: 0, retryLimit: 0, signal: new AbortController().signal },
      );
    await runJob();
    const rows = async () =>
      (await server.services.db.selectFrom('upload').select('id').where('id', 'in', [goneId, writingId]).execute()).map(
        (r) => r.id,
      );
    expect(await rows()).toEqual([writingId]); // the job went by the database alone
    expect(await spoolFiles()).toContain(goneId); // and could not reach this spool

    // `writing` gets its bytes through one long request here: its row says idle, its file is fresh.
    await setIdle(writingId, dayAgo);
    // This web process's sweep: the files of the gone and the recorded upload go; the one being written stays, marked active.
    expect(
      await sweepSpool({ db: server.services.db, spoolDir: spool }, server.services.config.abandonedUploadMs),
    ).toEqual({ discarded: 0, orphans: 2 });
    const left = await spoolFiles();
    for (const id of [goneId, recordedId]) expect(left.filter((name) => name.startsWith(id))).toEqual([]);
    expect(left).toContain(writingId);
    await runJob();
    expect(await rows()).toEqual([writingId]); // active again for the job too
    await fs.rm(elsewhere, { recursive: true });

    // Abandoned here for good: the next sweep discards it, row and files.
    await setIdle(writingId, dayAgo);
    await touch(writingId, dayAgo);
    expect(
      await sweepSpool({ db: server.services.db, spoolDir: spool }, server.services.config.abandonedUploadMs),
    ).toEqual({ discarded: 1, orphans: 0 });
    expect((await spoolFiles()).filter((name) => name.startsWith(writingId))).toEqual([]);
    expect(await rows()).toEqual([]);
  });
});
