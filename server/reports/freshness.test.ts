// A report reader never writes (decision 035): it waits for the refresher, which notices a change
// within a second and a due moment as it passes; without a refresher it shows what is kept after a
// bounded wait and says so.
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { demoCabinet, demoScopeOf, principal } from '../../tests/helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { departmentReport } from './department-report.ts';
import { awaitFresh } from './freshness.ts';
import { universityReport } from './rollups.ts';
import { catchUp } from './summaries.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Publishes an item into the cabinet's first practical slot (a change the triggers mark dirty). */
async function publishPractical(db: TestServer['services']['db'], cabinet: Awaited<ReturnType<typeof demoCabinet>>) {
  const slot = cabinet.slots.find((s) => s.kind === 'practical_material')!;
  await db
    .insertInto('item')
    .values({
      cabinet_id: cabinet.cabinetId,
      slot_id: slot.id,
      title: 'Практика',
      status: 'published',
      published_at: new Date(),
      created_by: cabinet.user.id,
    })
    .execute();
}

/** Every row the refresher writes, to prove a reader left them as they were. */
const summaries = async (db: TestServer['services']['db']) =>
  (
    await sql<{
      rows: string;
    }>`select (select count(*) from report_dirty) || ':' || (select string_agg(as_of::text, ',' order by cabinet_id) from cabinet_current) as rows`.execute(
      db,
    )
  ).rows[0]!.rows;

describe('a report reader', () => {
  it('waits for the refresher after a change and shows the exact figures', async () => {
    server = await startTestServer();
    const db = server.services.db;
    const cabinet = await demoCabinet(db, 'instructor', 'MATH-101');
    const head = await principal(db, 'head');
    const { departmentId } = await demoScopeOf(db, 'head');
    const before = await departmentReport(db, head, departmentId!);
    const delivered = (report: typeof before) =>
      report.rows.find((row) => row.cabinetId === cabinet.cabinetId)!.measures.byKind.practical_material.delivered;
    await publishPractical(db, cabinet);
    const after = await departmentReport(db, head, departmentId!);
    expect(delivered(after)).toBe(delivered(before) + 1);
    expect(after.refreshing).toBeNull();
  });

  it('without a refresher, writes nothing: after a bounded wait it shows what is kept and says as of when', async () => {
    server = await startTestServer({ reports: false });
    const db = server.services.db;
    const cabinet = await demoCabinet(db, 'instructor', 'MATH-101');
    await catchUp(db);
    const head = await principal(db, 'head');
    const { departmentId } = await demoScopeOf(db, 'head');
    const kept = await departmentReport(db, head, departmentId!);
    await publishPractical(db, cabinet);
    const untouched = await summaries(db);

    const started = Date.now();
    const report = await departmentReport(db, head, departmentId!);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_900);
    expect(report.refreshing).not.toBeNull();
    expect(new Date(report.refreshing!.keptAsOf!).getTime()).toBeLessThanOrEqual(Date.now());
    expect(report.rows).toEqual(kept.rows);
    expect((await universityReport(db, await principal(db, 'rector'))).refreshing).toBe(true);
    expect(await summaries(db)).toBe(untouched);

    // The refresher comes: the next reader finds the new figures at once.
    await catchUp(db);
    expect(await awaitFresh(db, departmentId!, 0)).toBe(true);
    expect((await departmentReport(db, head, departmentId!)).refreshing).toBeNull();
  });

  it('finds counts already moved on when a due moment passes, with no change to notice', async () => {
    server = await startTestServer();
    const db = server.services.db;
    const cabinet = await demoCabinet(db, 'instructor', 'MATH-101');
    const slot = cabinet.slots.find((s) => s.kind === 'practical_material' && s.number === 2)!;
    // Due in two seconds: the refresher keeps counts valid until then and wakes when they run out.
    await db
      .updateTable('slot')
      .set({ due_at: new Date(Date.now() + 2_000) })
      .where('id', '=', slot.id)
      .execute();
    await expect.poll(() => awaitFresh(db, null, 0), { timeout: 2_000 }).toBe(true);
    const overdue = async () =>
      (
        await db
          .selectFrom('cabinet_current')
          .select('overdue')
          .where('cabinet_id', '=', cabinet.cabinetId)
          .executeTakeFirstOrThrow()
      ).overdue;
    expect((await overdue()).some((o) => o.kind === 'practical_material' && o.number === 2)).toBe(false);
    await expect
      .poll(async () => (await overdue()).some((o) => o.kind === 'practical_material' && o.number === 2), {
        timeout: 5_000,
        interval: 100,
      })
      .toBe(true);
  });
});
