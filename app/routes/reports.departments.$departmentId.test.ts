// The department report through its route: who may see which department (nobody below head), the
// numbers equal the recount, "as of" a past date, and the week-by-week series.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { loader as reportLoader } from './reports.departments.$departmentId.tsx';
import { loader as xlsxLoader } from './reports.departments.$departmentId[.]xlsx.ts';
import { loader as csvLoader } from './reports.departments.$departmentId[.]csv.ts';
import { demoCabinet, demoScopeOf } from '../../tests/helpers/demo-cabinet.ts';
import { settle, statusOf } from '../../tests/helpers/route-calls.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import type { DepartmentReport } from '../../server/reports/department-report.ts';
import { countCabinets } from '../../server/reports/recount.ts';

let server: TestServer;
let cabinet: Awaited<ReturnType<typeof demoCabinet>>;
let departmentId: string;
const db = () => server.services.db;

const reportAs = async (account: string, id: string, asOf = '') =>
  settle(async () =>
    reportLoader({
      request: new Request(`http://kabinet.test/reports/departments/${id}${asOf ? `?asOf=${asOf}` : ''}`, {
        headers: { cookie: await server.cookieFor(account) },
      }),
      params: { departmentId: id },
      context: { services: server.services, clientIp: '10.0.0.1' },
    }),
  );

beforeAll(async () => {
  server = await startTestServer();
  cabinet = await demoCabinet(db(), 'instructor', 'MATH-101');
  departmentId = (await demoScopeOf(db(), 'head')).departmentId!;
  // One practical delivered on time: published right away (its due date is at the end of its week).
  const practical = cabinet.slots.find((s) => s.kind === 'practical_material' && s.number === 1)!;
  await db()
    .insertInto('item')
    .values({
      cabinet_id: cabinet.cabinetId,
      slot_id: practical.id,
      title: 'Практика 1',
      status: 'published',
      published_at: new Date(practical.due_at.getTime() - 86_400_000),
      created_by: cabinet.user.id,
    })
    .execute();
});
afterAll(async () => {
  await server?.close();
});

describe('department report', () => {
  it('is for the head of the department, the dean of its faculty, the vice-rector and the admin only', async () => {
    expect(statusOf(await reportAs('head', departmentId))).toBe(200);
    expect(statusOf(await reportAs('dean', departmentId))).toBe(200);
    expect(statusOf(await reportAs('rector', departmentId))).toBe(200);
    expect(statusOf(await reportAs('admin', departmentId))).toBe(200);
    expect(statusOf(await reportAs('head2', departmentId))).toBe(403);
    expect(statusOf(await reportAs('instructor', departmentId))).toBe(403);
    expect(statusOf(await reportAs('student', departmentId))).toBe(403);
    expect(statusOf(await reportAs('head', 'not-a-uuid'))).toBe(404);
    expect(statusOf(await reportAs('head', departmentId, '25.10.2026'))).toBe(400);
  });

  it("shows every cabinet of the department with the recount's numbers, per instructor and in total", async () => {
    const report = (await reportAs('head', departmentId)) as DepartmentReport;
    const row = report.rows.find((r) => r.cabinetId === cabinet.cabinetId)!;
    expect(row).toMatchObject({ subjectCode: 'MATH-101', instructorName: cabinet.user.fullName });
    const [recount] = await countCabinets(db(), [cabinet.cabinetId], new Date(report.asOf));
    expect(row.measures).toEqual(recount);
    expect(row.measures.byKind.practical_material.delivered).toBe(1);
    expect(row.studyForms.length).toBeGreaterThan(0);
    const sum = report.rows.reduce((n, r) => n + r.measures.total.required, 0);
    expect(report.total.total.required).toBe(sum);
    expect(report.byInstructor.reduce((n, i) => n + i.cabinets, 0)).toBe(report.rows.length);
    // One point per week that has ended, none after the moment asked for, each equal to a recount then.
    expect(report.weeks.length).toBeGreaterThan(0);
    expect(report.weeks.every((p) => p.asOf <= report.asOf)).toBe(true);
    for (const point of [report.weeks[0]!, report.weeks.at(-1)!]) {
      const counted = await countCabinets(
        db(),
        report.rows.map((r) => r.cabinetId),
        new Date(point.asOf),
      );
      const sum = (pick: (m: (typeof counted)[number]) => number) => counted.reduce((n, m) => n + pick(m), 0);
      expect(point.completeness).toBeCloseTo(sum((m) => m.total.delivered) / sum((m) => m.total.required));
      const due = sum((m) => m.total.due);
      if (due) expect(point.timeliness).toBeCloseTo(sum((m) => m.total.onTime) / due);
      else expect(point.timeliness).toBeNull();
    }
  });

  it('follows every change at once: a page kept from an earlier request is never shown after the data moved', async () => {
    const before = (await reportAs('head', departmentId)) as DepartmentReport;
    const practical = cabinet.slots.find((s) => s.kind === 'practical_material' && s.number === 2)!;
    await db()
      .insertInto('item')
      .values({
        cabinet_id: cabinet.cabinetId,
        slot_id: practical.id,
        title: 'Практика 2',
        status: 'published',
        published_at: new Date(practical.due_at.getTime() - 86_400_000),
        created_by: cabinet.user.id,
      })
      .execute();
    const after = (await reportAs('head', departmentId)) as DepartmentReport;
    const delivered = (report: DepartmentReport) =>
      report.rows.find((r) => r.cabinetId === cabinet.cabinetId)!.measures.byKind.practical_material.delivered;
    expect(delivered(after)).toBe(delivered(before) + 1);
    expect(after.total.total.delivered).toBe(before.total.total.delivered + 1);
    // A renamed instructor shows under the new name.
    await db().updateTable('app_user').set({ full_name: 'Жаңы Аты' }).where('id', '=', cabinet.user.id).execute();
    const renamed = (await reportAs('head', departmentId)) as DepartmentReport;
    expect(renamed.rows.find((r) => r.cabinetId === cabinet.cabinetId)!.instructorName).toBe('Жаңы Аты');
    await db()
      .updateTable('app_user')
      .set({ full_name: cabinet.user.fullName })
      .where('id', '=', cabinet.user.id)
      .execute();
  });

  it('shows the department as it stood on a past date', async () => {
    const practical = cabinet.slots.find((s) => s.kind === 'practical_material' && s.number === 1)!;
    const before = new Date(practical.due_at.getTime() - 3 * 86_400_000).toISOString().slice(0, 10);
    const report = (await reportAs('head', departmentId, before)) as DepartmentReport;
    const row = report.rows.find((r) => r.cabinetId === cabinet.cabinetId)!;
    expect(row.measures.byKind.practical_material.delivered).toBe(0);
    expect(row.measures.total.due).toBe(0);
    expect(report.asOf.slice(0, 10) <= before).toBe(true);
  });

  it('exports the same rows with a totals row as XLSX and CSV, for those who may see the report', async () => {
    const call = async (loader: typeof xlsxLoader, account: string) =>
      settle(async () =>
        loader({
          request: new Request(`http://kabinet.test/reports/departments/${departmentId}.x`, {
            headers: { cookie: await server.cookieFor(account) },
          }),
          params: { departmentId },
          context: { services: server.services, clientIp: '10.0.0.1' },
        }),
      );
    const report = (await reportAs('head', departmentId)) as DepartmentReport;
    const xlsx = (await call(xlsxLoader, 'head')) as Response;
    expect(xlsx.headers.get('content-disposition')).toContain('attachment');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.rowCount).toBe(report.rows.length + 2); // header, cabinets, totals
    const math = sheet
      .getRows(2, report.rows.length)!
      .find((row) => String(row.getCell(2).value).startsWith('MATH-101'))!;
    expect(math.getCell(1).value).toBe(cabinet.user.fullName);
    expect(sheet.getRow(sheet.rowCount).font?.bold).toBe(true);
    expect(sheet.getRow(sheet.rowCount).getCell(10).value).toBe(report.total.total.overdue);
    // Counts are text (Excel reads `1/32` as a date), shares are numbers formatted as percentages.
    const practicals = report.rows.find((r) => r.cabinetId === cabinet.cabinetId)!.measures.byKind.practical_material;
    const practicalCell = `${practicals.required} ичинен ${practicals.delivered}`;
    expect(practicals.delivered).toBeGreaterThan(0);
    expect(math.getCell(6).value).toBe(practicalCell);
    expect(math.getCell(8).numFmt).toBe('0%');
    expect(typeof math.getCell(8).value).toBe('number');
    const csv = Buffer.from(await ((await call(csvLoader, 'dean')) as Response).arrayBuffer());
    expect(csv.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    const mathLine = csv
      .toString('utf8')
      .split(/\r?\n/)
      .find((line) => line.includes('MATH-101'))!;
    // Kyrgyz readers' Excel separates with `;`; the share is written as a percentage, never a raw fraction.
    expect(mathLine.split(';')[5]).toBe(practicalCell);
    expect(mathLine.split(';')[7]).toMatch(/^\d{1,3}%$/);
    expect(statusOf(await call(xlsxLoader, 'instructor'))).toBe(403);
    expect(statusOf(await call(csvLoader, 'head2'))).toBe(403);
  });
});
