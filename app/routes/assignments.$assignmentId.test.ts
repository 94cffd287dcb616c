// Assignments through the routes people use and real tus uploads: creating one (Bishkek dates),
// students' files and submissions with every refusal, privacy by URL, grading, the streamed zip.
import { createHash, randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import { action as assignmentAction, loader as assignmentLoader } from './assignments.$assignmentId.tsx';
import { loader as csvLoader } from './assignments.$assignmentId.grades[.]csv.ts';
import { loader as xlsxLoader } from './assignments.$assignmentId.grades[.]xlsx.ts';
import { action as cabinetAction } from './cabinets.$cabinetId.tsx';
import { loader as fileLoader } from './submission-files.$fileId.tsx';
import { demoCabinet, principal } from '../../tests/helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { tusCreate, tusUploadWhole } from '../../tests/helpers/tus-requests.ts';
import { submitWork } from '../../server/assignments/assignments.ts';
import { type AssignmentPage } from '../../server/assignments/assignment-page.ts';
import { settle, statusOf } from '../../tests/helpers/route-calls.ts';

let server: TestServer;
let cabinet: Awaited<ReturnType<typeof demoCabinet>>;
const context = () => ({ services: server.services, clientIp: '10.0.0.1' });
const pdf = (size = 2000) => Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(size)]);

const messageOf = (value: unknown) => JSON.stringify((value as { data?: unknown }).data ?? '');

async function form(account: string, url: string, fields: Record<string, string>) {
  const request = new Request(`http://kabinet.test${url}`, {
    method: 'POST',
    headers: { cookie: await server.cookieFor(account) },
    body: new URLSearchParams(fields),
  });
  return request;
}
const cabinetPost = async (account: string, fields: Record<string, string>) =>
  settle(async () =>
    cabinetAction({
      request: await form(account, `/cabinets/${cabinet.cabinetId}`, fields),
      params: { cabinetId: cabinet.cabinetId },
      context: context(),
    }),
  );
const assignmentPost = async (account: string, assignmentId: string, fields: Record<string, string>) =>
  settle(async () =>
    assignmentAction({
      request: await form(account, `/assignments/${assignmentId}`, fields),
      params: { assignmentId },
      context: context(),
    }),
  );
const pageAs = async (account: string, assignmentId: string) =>
  settle(
    async () =>
      (
        await assignmentLoader({
          request: new Request(`http://kabinet.test/assignments/${assignmentId}`, {
            headers: { cookie: await server.cookieFor(account) },
          }),
          params: { assignmentId },
          context: context(),
        })
      ).page,
  ) as Promise<AssignmentPage | Response>;
const fileAs = async (account: string, fileId: string) =>
  statusOf(
    await settle(async () =>
      fileLoader({
        request: new Request(`http://kabinet.test/submission-files/${fileId}`, {
          headers: { cookie: await server.cookieFor(account) },
        }),
        params: { fileId },
        context: context(),
      }),
    ),
  );

async function upload(account: string, assignmentId: string, filename: string, body: Buffer) {
  return tusUploadWhole(server.url, body, {
    cookie: await server.cookieFor(account),
    metadata: { cabinetId: cabinet.cabinetId, assignmentId, filename },
  });
}

const assessmentSlots = () => cabinet.slots.filter((slot) => slot.kind === 'interim_assessment');
const fields = (over: Record<string, string> = {}) => ({
  intent: 'create-assignment',
  slotId: assessmentSlots()[0]!.id,
  title: 'Лабораториялык иш 1',
  instructions: 'Тапшырманы PDF түрүндө жибериңиз.',
  opensAt: '',
  dueAt: '2099-12-01T23:59',
  latePolicy: 'refuse',
  maxScore: '10',
  allowedExtensions: 'pdf, docx',
  maxFiles: '2',
  maxFileMib: '1',
  ...over,
});

async function createPublished(over: Record<string, string>): Promise<string> {
  expect(statusOf(await cabinetPost('instructor', fields(over)))).toBe(200);
  const row = await server.services.db
    .selectFrom('assignment')
    .innerJoin('item', 'item.id', 'assignment.item_id')
    .select(['assignment.id', 'item.id as itemId'])
    .where('item.slot_id', '=', over.slotId ?? fields().slotId)
    .executeTakeFirstOrThrow();
  expect(statusOf(await cabinetPost('instructor', { intent: 'publish', itemId: row.itemId }))).toBe(200);
  return row.id;
}

let assignmentId: string;

beforeAll(async () => {
  server = await startTestServer();
  cabinet = await demoCabinet(server.services.db, 'instructor', 'MATH-101');
});
afterAll(async () => {
  await server?.close();
});

describe('creating an assignment', () => {
  it('refuses bad input and other people, then stores the due time as 23:59 in Bishkek', async () => {
    expect(messageOf(await cabinetPost('instructor', fields({ dueAt: 'tomorrow' })))).toContain('assignment.bad_date');
    expect(messageOf(await cabinetPost('instructor', fields({ opensAt: '2099-12-02T10:00' })))).toContain(
      'assignment.opens_after_due',
    );
    expect(messageOf(await cabinetPost('instructor', fields({ allowedExtensions: 'exe' })))).toContain(
      'assignment.bad_extensions',
    );
    expect(statusOf(await cabinetPost('instructor2', fields()))).toBe(403);
    expect(statusOf(await cabinetPost('student', fields()))).toBe(403);
    expect(await server.services.db.selectFrom('assignment').select('id').execute()).toEqual([]); // nothing half-written

    assignmentId = await createPublished({});
    const row = await server.services.db
      .selectFrom('assignment')
      .selectAll()
      .where('id', '=', assignmentId)
      .executeTakeFirstOrThrow();
    // Asia/Bishkek is UTC+6: 23:59 there is 17:59 UTC, whatever zone the browser was in.
    expect(row.due_at.toISOString()).toBe('2099-12-01T17:59:00.000Z');
    expect(row.allowed_extensions).toEqual(['pdf', 'docx']);
    expect(Number(row.max_file_bytes)).toBe(1024 * 1024);
  });
});

describe('students hand in work', () => {
  it("keeps a student's uploaded file as a draft only they can open, until they submit", async () => {
    const { finish } = await upload('student', assignmentId, 'Иш.pdf', pdf());
    expect(finish?.status).toBe(204);
    const fileId = finish!.headers.get('kabinet-submission-file')!;
    const mine = (await pageAs('student', assignmentId)) as AssignmentPage;
    expect(mine.mine?.drafts.map((file) => file.name)).toEqual(['Иш.pdf']);
    expect(mine.roster).toBeNull();
    expect(await fileAs('student', fileId)).toBe(200);
    expect(await fileAs('student2', fileId)).toBe(404);
    expect(await fileAs('instructor', fileId)).toBe(404); // a draft is not handed in yet
  });

  it('refuses wrong types, large files, too many files, other groups and instructors before a byte is stored', async () => {
    const before = await server.services.storage.list('originals/');
    const meta = (filename: string) => ({ cabinetId: cabinet.cabinetId, assignmentId, filename });
    const create = async (account: string, filename: string, length: number) =>
      tusCreate(server.url, {
        cookie: await server.cookieFor(account),
        length: String(length),
        metadata: meta(filename),
      });
    const wrongType = await create('student', 'photo.jpg', 1000);
    expect(wrongType.status).toBe(415);
    expect(await wrongType.text()).toContain('photo.jpg');
    expect((await create('student', 'big.pdf', 2 * 1024 * 1024)).status).toBe(413);
    expect((await create('student46', 'x.pdf', 1000)).status).toBe(404); // another group
    expect((await create('instructor', 'x.pdf', 1000)).status).toBe(403);
    // The second of two files is fine, a third is one too many.
    expect((await upload('student', assignmentId, 'Иш-2.pdf', pdf())).finish?.status).toBe(204);
    const third = await create('student', 'Иш-3.pdf', 1000);
    expect(third.status).toBe(409);
    expect(await server.services.storage.list('originals/')).toHaveLength(before.length + 1);
  });

  it('submits the drafts as version 1, then a resubmission as version 2; the latest counts', async () => {
    expect(statusOf(await assignmentPost('student', assignmentId, { intent: 'submit', text: 'Биринчи версия' }))).toBe(
      200,
    );
    expect(messageOf(await assignmentPost('student', assignmentId, { intent: 'submit', text: '' }))).toContain(
      'assignment.nothing_to_submit',
    );
    const corrected = pdf();
    await upload('student', assignmentId, 'Оңдолгон.pdf', corrected);
    // Its checksums were taken as it arrived: the sha256 names it, the CRC-32 goes into the zip.
    const stored = await server.services.db
      .selectFrom('submission_file')
      .select(['sha256', 'crc32'])
      .where('original_name', '=', 'Оңдолгон.pdf')
      .executeTakeFirstOrThrow();
    expect({ sha256: stored.sha256, crc32: Number(stored.crc32) }).toEqual({
      sha256: createHash('sha256').update(corrected).digest('hex'),
      crc32: zlib.crc32(corrected),
    });
    expect(statusOf(await assignmentPost('student', assignmentId, { intent: 'submit', text: 'Экинчи' }))).toBe(200);
    const mine = ((await pageAs('student', assignmentId)) as AssignmentPage).mine!;
    expect(mine.drafts).toEqual([]);
    expect(mine.versions.map((v) => [v.version, v.text, v.files.map((f) => f.name), v.late])).toEqual([
      [2, 'Экинчи', ['Оңдолгон.pdf'], false],
      [1, 'Биринчи версия', ['Иш.pdf', 'Иш-2.pdf'], false],
    ]);
    const roster = ((await pageAs('instructor', assignmentId)) as AssignmentPage).roster!;
    expect(roster).toHaveLength(30);
    const row = roster.find((r) => r.status !== 'not_submitted')!;
    expect([row.status, row.files.map((f) => f.name), row.text]).toEqual(['submitted', ['Оңдолгон.pdf'], 'Экинчи']);
    // The instructor now opens handed-in files; another student still cannot, by any URL.
    expect(await fileAs('instructor', row.files[0]!.id)).toBe(200);
    expect(await fileAs('head', row.files[0]!.id)).toBe(200); // read-only staff above
    expect(await fileAs('student2', row.files[0]!.id)).toBe(404);
    expect(await fileAs('student46', row.files[0]!.id)).toBe(404);
  });

  it('refuses work after a hard deadline and marks it late where late work is accepted', async () => {
    const hard = await createPublished({
      slotId: assessmentSlots()[1]!.id,
      dueAt: '2026-01-10T12:00',
      latePolicy: 'refuse',
    });
    const closed = await tusCreate(server.url, {
      cookie: await server.cookieFor('student3'),
      length: '1000',
      metadata: { cabinetId: cabinet.cabinetId, assignmentId: hard, filename: 'a.pdf' },
    });
    expect(closed.status).toBe(409);
    expect(messageOf(await assignmentPost('student3', hard, { intent: 'submit', text: 'кеч' }))).toContain(
      'assignment.closed',
    );
    await server.services.db
      .updateTable('assignment')
      .set({ late_policy: 'accept_late' })
      .where('id', '=', hard)
      .execute();
    expect(statusOf(await assignmentPost('student3', hard, { intent: 'submit', text: 'кечиктим' }))).toBe(200);
    const roster = ((await pageAs('instructor', hard)) as AssignmentPage).roster!;
    expect(roster.find((r) => r.status === 'late')?.text).toBe('кечиктим');
  });

  it('draws the line at 23:59 Bishkek time, to the second, wherever the student is', async () => {
    // An extra item this time (the plan's assessment slots are taken).
    expect(
      statusOf(
        await cabinetPost('instructor', {
          ...fields({ dueAt: '2099-12-01T23:59', latePolicy: 'accept_late', title: 'Кошумча' }),
          slotId: '',
        }),
      ),
    ).toBe(200);
    const row = await server.services.db
      .selectFrom('assignment')
      .innerJoin('item', 'item.id', 'assignment.item_id')
      .select(['assignment.id', 'item.id as itemId', 'item.slot_id'])
      .where('item.title', '=', 'Кошумча')
      .executeTakeFirstOrThrow();
    expect(row.slot_id).toBeNull();
    expect(statusOf(await cabinetPost('instructor', { intent: 'publish', itemId: row.itemId }))).toBe(200);
    const edge = row.id;
    const actor = { user: await principal(server.services.db, 'student4'), ip: null };
    // 23:58:59 in Bishkek is 20:58:59 in Moscow and 17:58:59 UTC: on time.
    expect(await submitWork(server.services.db, actor, edge, 'вовремя', new Date('2099-12-01T17:58:59Z'))).toEqual({
      version: 1,
      late: false,
    });
    expect(await submitWork(server.services.db, actor, edge, 'минута', new Date('2099-12-01T17:59:00Z'))).toEqual({
      version: 2,
      late: false,
    });
    expect(await submitWork(server.services.db, actor, edge, 'кеч', new Date('2099-12-01T17:59:01Z'))).toEqual({
      version: 3,
      late: true,
    });
    await server.services.db.updateTable('assignment').set({ late_policy: 'refuse' }).where('id', '=', edge).execute();
    await expect(
      submitWork(server.services.db, actor, edge, 'өтө кеч', new Date('2099-12-01T17:59:01Z')),
    ).rejects.toMatchObject({ messageKey: 'assignment.closed' });
    await expect(
      submitWork(server.services.db, actor, edge, 'жетишти', new Date('2099-12-01T17:59:00Z')),
    ).resolves.toEqual({ version: 4, late: false });
  });
});

describe('grading and the zip of all work', () => {
  it('lets only the instructor grade, within the maximum; the student sees score and feedback', async () => {
    const studentId = await server.userId('student');
    expect(
      messageOf(
        await assignmentPost('instructor', assignmentId, { intent: 'grade', studentId, score: '11', feedback: '' }),
      ),
    ).toContain('assignment.score_above_max');
    expect(
      statusOf(await assignmentPost('head', assignmentId, { intent: 'grade', studentId, score: '5', feedback: '' })),
    ).toBe(403);
    expect(
      statusOf(
        await assignmentPost('student', assignmentId, { intent: 'grade', studentId, score: '10', feedback: '' }),
      ),
    ).toBe(403);
    expect(
      messageOf(
        await assignmentPost('instructor', assignmentId, {
          intent: 'grade',
          studentId: await server.userId('student5'),
          score: '5',
          feedback: '',
        }),
      ),
    ).toContain('assignment.not_submitted');
    expect(
      statusOf(
        await assignmentPost('instructor', assignmentId, {
          intent: 'grade',
          studentId,
          score: '9.5',
          feedback: 'Жакшы иш',
        }),
      ),
    ).toBe(200);
    expect(((await pageAs('student', assignmentId)) as AssignmentPage).mine?.grade).toEqual({
      score: 9.5,
      feedback: 'Жакшы иш',
    });
    expect(((await pageAs('student2', assignmentId)) as AssignmentPage).mine?.grade).toBeNull();
  });

  it('exports the grades as XLSX and CSV for the staff, never for students', async () => {
    const exportAs = async (account: string, format: 'csv' | 'xlsx') => {
      const loader = format === 'csv' ? csvLoader : xlsxLoader;
      return settle(async () =>
        loader({
          request: new Request(`http://kabinet.test/assignments/${assignmentId}/grades.${format}`, {
            headers: { cookie: await server.cookieFor(account) },
          }),
          params: { assignmentId },
          context: context(),
        }),
      );
    };
    expect(statusOf(await exportAs('student', 'xlsx'))).toBe(403);
    expect(statusOf(await exportAs('student46', 'csv'))).toBe(404);
    const xlsx = (await exportAs('instructor', 'xlsx')) as Response;
    expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.rowCount).toBe(31); // a header and the 30 students of the groups
    const student = await server.services.db
      .selectFrom('app_user')
      .select('full_name')
      .where('email', '=', 'student@demo.kabinet.kg')
      .executeTakeFirstOrThrow();
    const graded = sheet.getRows(2, 30)!.find((row) => row.getCell(1).value === student.full_name)!;
    expect([graded.getCell(6).value, graded.getCell(7).value, graded.getCell(8).value]).toEqual([9.5, 10, 'Жакшы иш']);
    const csv = (await exportAs('head', 'csv')) as Response;
    const text = Buffer.from(await csv.arrayBuffer()).toString('utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    expect(text.split('\n').filter(Boolean)).toHaveLength(31);
    expect(text).toContain('Жакшы иш');
  });

  it("streams every student's latest files as one zip, for the instructor only", async () => {
    const zipAs = async (account: string) =>
      fetch(`${server.url}/assignments/${assignmentId}/submissions.zip`, {
        headers: { cookie: await server.cookieFor(account) },
      });
    expect((await zipAs('student')).status).toBe(403);
    expect((await zipAs('head')).status).toBe(403);
    expect((await fetch(`${server.url}/assignments/${assignmentId}/submissions.zip`)).status).toBe(401);
    // A second student's latest work too, so the zip has two folders.
    await upload('student2', assignmentId, 'Жооп.pdf', pdf(5000));
    expect(statusOf(await assignmentPost('student2', assignmentId, { intent: 'submit', text: '' }))).toBe(200);
    const response = await zipAs('instructor');
    expect(response.headers.get('content-type')).toBe('application/zip');
    const zip = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get('content-length'))).toBe(zip.length);
    // A download that broke off resumes where it stopped, for the same zip only.
    const tag = response.headers.get('etag')!;
    const cookie = await server.cookieFor('instructor');
    const rest = await fetch(`${server.url}/assignments/${assignmentId}/submissions.zip`, {
      headers: { cookie, range: 'bytes=1000-', 'if-range': tag },
    });
    expect([rest.status, rest.headers.get('content-range')]).toEqual([
      206,
      `bytes 1000-${zip.length - 1}/${zip.length}`,
    ]);
    expect(Buffer.from(await rest.arrayBuffer()).equals(zip.subarray(1000))).toBe(true);
    const changed = await fetch(`${server.url}/assignments/${assignmentId}/submissions.zip`, {
      headers: { cookie, range: 'bytes=1000-', 'if-range': '"zip-another"' },
    });
    expect([changed.status, (await changed.arrayBuffer()).byteLength]).toEqual([200, zip.length]);
    const entries = await new Promise<{ name: string; size: number; crcOk: boolean }[]>((resolve, reject) => {
      yauzl.fromBuffer(zip, { lazyEntries: true }, (error, file) => {
        if (error) return reject(error);
        const found: { name: string; size: number; crcOk: boolean }[] = [];
        file.on('entry', (entry: yauzl.Entry) => {
          file.openReadStream(entry, async (openError, stream) => {
            if (openError) return reject(openError);
            const chunks: Buffer[] = [];
            for await (const chunk of stream) chunks.push(chunk as Buffer);
            found.push({
              name: entry.fileName,
              size: entry.uncompressedSize,
              crcOk: zlib.crc32(Buffer.concat(chunks)) === entry.crc32,
            });
            file.readEntry();
          });
        });
        file.on('end', () => resolve(found));
        file.readEntry();
      });
    });
    const names = await server.services.db
      .selectFrom('app_user')
      .select(['email', 'full_name'])
      .where('email', 'in', ['student@demo.kabinet.kg', 'student2@demo.kabinet.kg'])
      .execute();
    const nameOf = (email: string) => names.find((n) => n.email === email)!.full_name;
    const sizes = await server.services.db
      .selectFrom('submission_file')
      .select(['original_name', 'byte_size'])
      .where('original_name', 'in', ['Оңдолгон.pdf', 'Жооп.pdf'])
      .execute();
    const sizeOf = (name: string) => Number(sizes.find((s) => s.original_name === name)!.byte_size);
    expect(entries.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      [
        { name: `${nameOf('student@demo.kabinet.kg')}/Оңдолгон.pdf`, size: sizeOf('Оңдолгон.pdf'), crcOk: true },
        { name: `${nameOf('student2@demo.kabinet.kg')}/Жооп.pdf`, size: sizeOf('Жооп.pdf'), crcOk: true },
      ].sort((a, b) => a.name.localeCompare(b.name)),
    );
  });
});
