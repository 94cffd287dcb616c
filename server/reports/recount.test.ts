// The measures on hand-made data with known answers: on time against late, a lecture whose video is
// not ready, a draft, and the same cabinet "as of" a date before some deliveries.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { countCabinets } from './recount.ts';
import { checkSummaries } from './consistency.ts';
import { cabinetsAt, catchUp, isStale } from './summaries.ts';

let server: TestServer;
let cabinet: Awaited<ReturnType<typeof demoCabinet>>;
const db = () => server.services.db;
const at = (iso: string) => new Date(iso);

async function deliver(
  kind: string,
  number: number,
  item: {
    status: 'draft' | 'published';
    publishedAt?: string;
    video?: { state: 'ready' | 'processing'; readyAt?: string };
  },
) {
  const slot = cabinet.slots.find((s) => s.kind === kind && s.number === number)!;
  const row = await db()
    .insertInto('item')
    .values({
      cabinet_id: cabinet.cabinetId,
      slot_id: slot.id,
      title: `${kind} ${number}`,
      status: item.status,
      published_at: item.publishedAt ? at(item.publishedAt) : null,
      created_by: cabinet.user.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (item.video) {
    const id = randomUUID();
    await db()
      .insertInto('media_file')
      .values({
        id,
        item_id: row.id,
        upload_id: randomBytes(16).toString('hex'),
        storage_key: `originals/${id.slice(0, 2)}/${id}/original.mp4`,
        original_name: 'lecture.mp4',
        byte_size: 1000,
        sha256: 'a'.repeat(64),
        content_type: 'video/mp4',
        file_kind: 'video',
        processing_state: item.video.state,
        ready_at: item.video.readyAt ? at(item.video.readyAt) : null,
        created_by: cabinet.user.id,
      })
      .execute();
  }
}

let departmentId: string;
let termId: string;

beforeAll(async () => {
  server = await startTestServer();
  cabinet = await demoCabinet(db(), 'instructor', 'MATH-101');
  departmentId = (
    await db().selectFrom('subject').select('department_id').where('code', '=', 'MATH-101').executeTakeFirstOrThrow()
  ).department_id;
  termId = (
    await db()
      .selectFrom('cabinet')
      .innerJoin('teaching_assignment as ta', 'ta.id', 'cabinet.teaching_assignment_id')
      .select('ta.term_id')
      .where('cabinet.id', '=', cabinet.cabinetId)
      .executeTakeFirstOrThrow()
  ).term_id;
  // Due dates we know: the plan's slots of weeks 1–2 fall due on 1 and 8 October (Bishkek 23:59).
  for (const slot of cabinet.slots) {
    const due =
      slot.number === 1 ? '2026-10-01T17:59:00Z' : slot.number === 2 ? '2026-10-08T17:59:00Z' : '2026-12-20T17:59:00Z';
    await db()
      .updateTable('slot')
      .set({ due_at: at(due) })
      .where('id', '=', slot.id)
      .execute();
  }
  await deliver('practical_material', 1, { status: 'published', publishedAt: '2026-09-30T10:00:00Z' }); // on time
  await deliver('practical_material', 2, { status: 'published', publishedAt: '2026-10-10T10:00:00Z' }); // two days late
  // Published before the due time, but its video was ready only after it: late.
  await deliver('lecture_video', 1, {
    status: 'published',
    publishedAt: '2026-09-28T10:00:00Z',
    video: { state: 'ready', readyAt: '2026-10-02T09:00:00Z' },
  });
  await deliver('lecture_video', 2, {
    status: 'published',
    publishedAt: '2026-10-05T10:00:00Z',
    video: { state: 'processing' },
  }); // not delivered
  await deliver('interim_assessment', 1, { status: 'draft' }); // not delivered
});
afterAll(async () => {
  await server?.close();
});

describe('cabinet measures', () => {
  it('counts delivered, on time and overdue by kind, a lecture only once its video is ready', async () => {
    const [m] = await countCabinets(db(), [cabinet.cabinetId], at('2026-11-01T00:00:00Z'));
    const required = cabinet.slots.length;
    expect(m!.byKind.practical_material).toMatchObject({ due: 2, delivered: 2, onTime: 1, overdue: 0 });
    expect(m!.byKind.lecture_video).toMatchObject({ due: 2, delivered: 1, onTime: 0, overdue: 1 });
    // Both assessments are due (the second on 8 October); one is a draft, the other was never made.
    expect(m!.byKind.interim_assessment).toMatchObject({ due: 2, delivered: 0, onTime: 0, overdue: 2 });
    expect(m!.total).toEqual({ required, due: 6, delivered: 3, onTime: 1, overdue: 3 });
    expect(m!.completeness).toBeCloseTo(3 / required);
    expect(m!.timeliness).toBeCloseTo(1 / 6);
  });

  it('shows the cabinet as it stood on a past date', async () => {
    // 5 October: week-1 slots due, week-2 not yet; practical 2 not yet delivered (it came on 10 October).
    const [m] = await countCabinets(db(), [cabinet.cabinetId], at('2026-10-05T00:00:00Z'));
    expect(m!.byKind.practical_material).toMatchObject({ due: 1, delivered: 1, onTime: 1, overdue: 0 });
    expect(m!.byKind.lecture_video).toMatchObject({ due: 1, delivered: 1, onTime: 0, overdue: 0 });
    expect(m!.total).toMatchObject({ due: 3, delivered: 2, onTime: 1, overdue: 1 });
    // Before anything was due, nothing is late and timeliness has nothing to measure.
    const [early] = await countCabinets(db(), [cabinet.cabinetId], at('2026-09-01T00:00:00Z'));
    expect(early!.total).toMatchObject({ due: 0, delivered: 0, overdue: 0 });
    expect(early!.timeliness).toBeNull();
  });

  it('agrees with the cabinet page, which marks slots by the same rule', async () => {
    const { getCabinetPage } = await import('../cabinets/cabinet-page.ts');
    const page = await getCabinetPage(db(), cabinet.user, cabinet.cabinetId, at('2026-11-01T00:00:00Z'));
    const [m] = await countCabinets(db(), [cabinet.cabinetId], at('2026-11-01T00:00:00Z'));
    expect(page.slots.filter((s) => s.state === 'delivered')).toHaveLength(m!.total.delivered);
    expect(page.slots.filter((s) => s.state === 'overdue')).toHaveLength(m!.total.overdue);
  });

  it("keeps summaries that equal the recount at every week's end and any moment, through publishing, unpublishing and a video becoming ready", async () => {
    await catchUp(db());
    for (const moment of [
      '2026-09-01T00:00:00Z',
      '2026-10-02T12:00:00Z',
      '2026-10-05T00:00:00Z',
      '2026-10-10T10:00:00Z',
      '2026-11-01T00:00:00Z',
      '2027-06-01T00:00:00Z',
    ]) {
      expect(await cabinetsAt(db(), [cabinet.cabinetId], at(moment))).toEqual(
        await countCabinets(db(), [cabinet.cabinetId], at(moment)),
      );
    }
    expect(await checkSummaries(db(), termId)).toEqual([]);
    // The second lecture's video becomes ready, the practical is unpublished, the draft published.
    const lecture2 = await db()
      .selectFrom('item')
      .innerJoin('slot', 'slot.id', 'item.slot_id')
      .select('item.id')
      .where('slot.cabinet_id', '=', cabinet.cabinetId)
      .where('slot.kind', '=', 'lecture_video')
      .where('slot.number', '=', 2)
      .executeTakeFirstOrThrow();
    await db()
      .updateTable('media_file')
      .set({ processing_state: 'ready', ready_at: at('2026-10-07T09:00:00Z') })
      .where('item_id', '=', lecture2.id)
      .execute();
    const practical1 = await db()
      .selectFrom('item')
      .innerJoin('slot', 'slot.id', 'item.slot_id')
      .select('item.id')
      .where('slot.cabinet_id', '=', cabinet.cabinetId)
      .where('slot.kind', '=', 'practical_material')
      .where('slot.number', '=', 1)
      .executeTakeFirstOrThrow();
    await db()
      .updateTable('item')
      .set({ status: 'draft', published_at: null })
      .where('id', '=', practical1.id)
      .execute();
    const assessment = await db()
      .selectFrom('item')
      .innerJoin('slot', 'slot.id', 'item.slot_id')
      .select('item.id')
      .where('slot.cabinet_id', '=', cabinet.cabinetId)
      .where('slot.kind', '=', 'interim_assessment')
      .executeTakeFirstOrThrow();
    await db()
      .updateTable('item')
      .set({ status: 'published', published_at: at('2026-10-20T08:00:00Z') })
      .where('id', '=', assessment.id)
      .execute();
    // Each change marked the cabinet for the refresher; a reader sees that and catches up.
    expect(
      await db().selectFrom('report_dirty').select('cabinet_id').where('cabinet_id', '=', cabinet.cabinetId).execute(),
    ).not.toHaveLength(0);
    expect(await isStale(db(), departmentId)).toBe(true);
    await catchUp(db(), departmentId);
    const [now] = await cabinetsAt(db(), [cabinet.cabinetId], at('2026-11-01T00:00:00Z'));
    expect(now!.byKind.lecture_video).toMatchObject({ delivered: 2, onTime: 1 });
    expect(now!.byKind.practical_material).toMatchObject({ delivered: 1 });
    expect(now!.byKind.interim_assessment).toMatchObject({ delivered: 1, onTime: 0, overdue: 1 });
    expect(await checkSummaries(db(), termId)).toEqual([]);
    expect(await isStale(db(), departmentId)).toBe(false);
    // A department's row per term day and kind: what "as of" a date reads.
    expect(
      await db().selectFrom('department_day').select('day').where('department_id', '=', departmentId).execute(),
    ).toHaveLength(16 * 7 * 3);
  });

  it('refreshes a cabinet whose counts a due moment has overtaken before anyone reads them', async () => {
    // As if the refresher had last run long ago, when nothing was due yet.
    await db()
      .updateTable('cabinet_current')
      .set({ counts: JSON.stringify({}), valid_until: at('2026-09-01T00:00:00Z') })
      .where('cabinet_id', '=', cabinet.cabinetId)
      .execute();
    await db()
      .updateTable('department_current')
      .set({ valid_until: at('2026-09-01T00:00:00Z') })
      .where('department_id', '=', departmentId)
      .execute();
    expect(await isStale(db(), departmentId)).toBe(true);
    expect(await catchUp(db())).toBe(1);
    const kept = await db()
      .selectFrom('cabinet_current')
      .select(['counts', 'valid_until'])
      .where('cabinet_id', '=', cabinet.cabinetId)
      .executeTakeFirstOrThrow();
    expect(Object.values(kept.counts).some((counts) => counts.due > 0)).toBe(true);
    expect(kept.valid_until!.getTime()).toBeGreaterThan(Date.now());
    expect(await checkSummaries(db(), termId)).toEqual([]);
  });

  it("catches up one department without waiting for another department's changes", async () => {
    const physics = await demoCabinet(db(), 'instructor4', 'PHY-201');
    await catchUp(db());
    await db()
      .insertInto('report_dirty')
      .values([{ cabinet_id: cabinet.cabinetId }, { cabinet_id: physics.cabinetId }])
      .execute();
    expect(await catchUp(db(), departmentId)).toBe(1);
    expect((await db().selectFrom('report_dirty').select('cabinet_id').execute()).map((r) => r.cabinet_id)).toEqual([
      physics.cabinetId,
    ]);
    expect(await catchUp(db())).toBe(1);
  });

  it('rebuilds the same summaries from the raw rows (after a bulk load with the triggers off)', async () => {
    const { sql } = await import('kysely');
    const snapshot = async () => ({
      facts: await db().selectFrom('slot_fact').selectAll().orderBy('slot_id').execute(),
      cabinets: (await db().selectFrom('cabinet_current').selectAll().orderBy('cabinet_id').execute()).map(
        ({ as_of: _, ...row }) => row,
      ),
      departments: (await db().selectFrom('department_current').selectAll().orderBy('department_id').execute()).map(
        ({ as_of: _, ...row }) => row,
      ),
      days: await db().selectFrom('department_day').selectAll().orderBy(['department_id', 'day', 'kind']).execute(),
    });
    const kept = await snapshot();
    await sql`select report_rebuild()`.execute(db());
    expect(await snapshot()).toEqual(kept);
  });
});
