// The dean's and the vice-rector's roll-ups through their routes: who may see them, departments and
// faculties that add up to their cabinets' recount, ranked least complete first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loader as facultyLoader } from './reports.faculties.$facultyId.tsx';
import { loader as universityLoader } from './reports.university.tsx';
import { loader as facultyXlsx } from './reports.faculties.$facultyId[.]xlsx.ts';
import { loader as facultyCsv } from './reports.faculties.$facultyId[.]csv.ts';
import { loader as universityXlsx } from './reports.university[.]xlsx.ts';
import { loader as universityCsv } from './reports.university[.]csv.ts';
import ExcelJS from 'exceljs';
import type { LoaderFunctionArgs } from '@remix-run/node';
import { demoCabinet, demoScopeOf } from '../../tests/helpers/demo-cabinet.ts';
import { settle, statusOf } from '../../tests/helpers/route-calls.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { countCabinets } from '../../server/reports/recount.ts';
import type { Rollup } from '../../server/reports/rollups.ts';
import { checkSummaries } from '../../server/reports/consistency.ts';

let server: TestServer;
let facultyId: string;
const db = () => server.services.db;
const context = () => ({ services: server.services, clientIp: '10.0.0.1' });
const get = async (
  account: string,
  loader: (args: LoaderFunctionArgs) => Promise<unknown>,
  params: Record<string, string>,
  query = '',
) =>
  settle(async () =>
    loader({
      request: new Request(`http://kabinet.test/reports${query}`, {
        headers: { cookie: await server.cookieFor(account) },
      }),
      params,
      context: context(),
    }),
  );

beforeAll(async () => {
  server = await startTestServer();
  // Two open cabinets, one with a delivered practical.
  const math = await demoCabinet(db(), 'instructor', 'MATH-101');
  const practical = math.slots.find((s) => s.kind === 'practical_material' && s.number === 1)!;
  await db()
    .insertInto('item')
    .values({
      cabinet_id: math.cabinetId,
      slot_id: practical.id,
      title: 'П1',
      status: 'published',
      published_at: new Date(practical.due_at.getTime() - 3_600_000),
      created_by: math.user.id,
    })
    .execute();
  const other = await db()
    .selectFrom('subject')
    .innerJoin('teaching_assignment as ta', 'ta.subject_id', 'subject.id')
    .innerJoin('app_user as u', 'u.id', 'ta.instructor_id')
    .select('subject.code')
    .where('u.email', '=', 'instructor2@demo.kabinet.kg')
    .executeTakeFirstOrThrow();
  await demoCabinet(db(), 'instructor2', other.code);
  facultyId = (await demoScopeOf(db(), 'dean')).facultyId!;
});
afterAll(async () => {
  await server?.close();
});

describe('roll-ups', () => {
  it('shows a faculty to its dean and those above, the university to the vice-rector and the admin', async () => {
    expect(statusOf(await get('dean', facultyLoader, { facultyId }))).toBe(200);
    expect(statusOf(await get('rector', facultyLoader, { facultyId }))).toBe(200);
    expect(statusOf(await get('head', facultyLoader, { facultyId }))).toBe(403);
    expect(statusOf(await get('instructor', facultyLoader, { facultyId }))).toBe(403);
    expect(statusOf(await get('rector', universityLoader, {}))).toBe(200);
    expect(statusOf(await get('admin', universityLoader, {}))).toBe(200);
    expect(statusOf(await get('dean', universityLoader, {}))).toBe(403);
    expect(statusOf(await get('student', universityLoader, {}))).toBe(403);
  });

  it('adds up to the recount of every cabinet, ranked least complete first', async () => {
    const university = (await get('rector', universityLoader, {})) as Rollup;
    const cabinets = (await db().selectFrom('cabinet').select('id').execute()).map((c) => c.id);
    const recount = await countCabinets(db(), cabinets, new Date(university.asOf));
    expect(university.total.total.required).toBe(recount.reduce((n, m) => n + m.total.required, 0));
    expect(university.total.total.delivered).toBe(1);
    expect(university.total.cabinets).toBe(2);
    const shares = university.rows.map((r) => r.completeness ?? 2);
    expect(shares).toEqual([...shares].sort((a, b) => a - b));
    const faculty = (await get('dean', facultyLoader, { facultyId })) as Rollup;
    expect(faculty.rows.reduce((n, r) => n + r.total.delivered, 0)).toBe(
      university.rows.find((r) => r.id === facultyId)!.total.delivered,
    );
    const termId = university.term.id;
    expect(await checkSummaries(db(), termId)).toEqual([]);
  });

  it('sums the quality signals up to the faculty and the university', async () => {
    // A 30-minute recording, ready, in the math cabinet's first lecture.
    const math = await demoCabinet(db(), 'instructor', 'MATH-101');
    const lecture = math.slots.find((s) => s.kind === 'lecture_video' && s.number === 1)!;
    const item = await db()
      .insertInto('item')
      .values({
        cabinet_id: math.cabinetId,
        slot_id: lecture.id,
        title: 'Л1',
        status: 'published',
        published_at: new Date(),
        created_by: math.user.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('media_file')
      .values({
        item_id: item.id,
        upload_id: 'rollup-quality',
        storage_key: 'originals/rq/lecture.mp4',
        original_name: 'l.mp4',
        byte_size: 10,
        sha256: 'c'.repeat(64),
        content_type: 'video/mp4',
        file_kind: 'video',
        processing_state: 'ready',
        ready_at: new Date(),
        duration_seconds: 1800,
        created_by: math.user.id,
      })
      .execute();
    const university = (await get('rector', universityLoader, {})) as Rollup;
    expect(university.total.quality).toMatchObject({ lectureMinutes: 30, captionShare: 0 });
    const faculty = (await get('dean', facultyLoader, { facultyId })) as Rollup;
    expect(faculty.rows.reduce((n, r) => n + r.quality.lectureMinutes, 0)).toBe(30);
  });

  it('exports a faculty and the university as XLSX and CSV to those who may read them', async () => {
    const bytes = async (response: unknown) => Buffer.from(await (response as Response).arrayBuffer());
    const university = (await get('rector', universityLoader, {})) as Rollup;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await ((await get('rector', universityXlsx, {})) as Response).arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.rowCount).toBe(university.rows.length + 2); // header, faculties, totals
    const completeness = sheet.getRow(2).getCell(3);
    expect(completeness.numFmt).toBe('0%');
    expect(typeof completeness.value === 'number' || completeness.value === null).toBe(true);
    expect(sheet.getRow(sheet.rowCount).getCell(2).value).toBe(university.total.cabinets);
    // The demo's people read Kyrgyz: Excel there expects `;` and a percentage it can read.
    const csv = (await bytes(await get('dean', facultyCsv, { facultyId }))).toString('utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const [header, first] = csv.slice(1).split(/\r?\n/);
    expect(header!.split(';').length).toBe(11);
    expect(first!.split(';')[2]).toMatch(/^(\d{1,3}%)?$/);
    const comma = (await bytes(await get('dean', facultyCsv, { facultyId }, '?sep=comma'))).toString('utf8');
    expect(comma.slice(1).split(/\r?\n/)[0]!.split(',').length).toBe(11);
    expect(statusOf(await get('head', facultyXlsx, { facultyId }))).toBe(403);
    expect(statusOf(await get('instructor', facultyCsv, { facultyId }))).toBe(403);
    expect(statusOf(await get('dean', universityCsv, {}))).toBe(403);
    expect(statusOf(await get('student', universityXlsx, {}))).toBe(403);
  });
});
