// The head's slot policy through the report's action: cabinets re-planned in one go, slots that
// hold work kept, the summaries still equal to the recount, and nobody else may change it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { action as reportAction } from './reports.departments.$departmentId.tsx';
import { demoCabinet, demoScopeOf } from '../../tests/helpers/demo-cabinet.ts';
import { settle, statusOf } from '../../tests/helpers/route-calls.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { checkSummaries } from '../../server/reports/consistency.ts';
import type { SlotKind } from '../../db/schema.ts';

let server: TestServer;
let cabinet: Awaited<ReturnType<typeof demoCabinet>>;
let departmentId: string;
const db = () => server.services.db;
const setPolicy = async (account: string, fields: Record<string, string>) =>
  settle(async () =>
    reportAction({
      request: new Request(`http://kabinet.test/reports/departments/${departmentId}`, {
        method: 'POST',
        headers: { cookie: await server.cookieFor(account) },
        body: new URLSearchParams({ intent: 'policy', ...fields }),
      }),
      params: { departmentId },
      context: { services: server.services, clientIp: '10.0.0.1' },
    }),
  );
const slotsOf = (kind: SlotKind) =>
  db()
    .selectFrom('slot')
    .select(['id', 'number', 'week', 'due_at'])
    .where('cabinet_id', '=', cabinet.cabinetId)
    .where('kind', '=', kind)
    .orderBy('number')
    .execute();

beforeAll(async () => {
  server = await startTestServer();
  cabinet = await demoCabinet(db(), 'instructor', 'MATH-101');
  departmentId = (await demoScopeOf(db(), 'head')).departmentId!;
});
afterAll(async () => {
  await server?.close();
});

describe('department slot policy', () => {
  it("is the head's alone, and a bad one changes nothing", async () => {
    const fields = { lectureHoursPerVideo: '4', practicalHoursPerMaterial: '2', assessmentWeeks: '5, 10, 14' };
    for (const account of ['dean', 'rector', 'head2', 'instructor'])
      expect(statusOf(await setPolicy(account, fields))).toBe(403);
    const bad = await setPolicy('head', { ...fields, assessmentWeeks: '5, 40' });
    expect(statusOf(bad)).toBe(400);
    expect(JSON.stringify(bad)).toContain('policy.bad_weeks');
    expect(
      (
        await db()
          .selectFrom('department')
          .select('slot_policy')
          .where('id', '=', departmentId)
          .executeTakeFirstOrThrow()
      ).slot_policy,
    ).toBeNull();
  });

  it('re-plans the cabinets, keeping a slot that holds work, with summaries still equal to the recount', async () => {
    const lecturesBefore = await slotsOf('lecture_video');
    const last = lecturesBefore.at(-1)!;
    // Work delivered into the last lecture slot, which the new policy no longer asks for.
    await db()
      .insertInto('item')
      .values({ cabinet_id: cabinet.cabinetId, slot_id: last.id, title: 'Лекция', created_by: cabinet.user.id })
      .execute();
    const result = (await setPolicy('head', {
      lectureHoursPerVideo: '4',
      practicalHoursPerMaterial: '2',
      assessmentWeeks: '5, 10, 14',
    })) as { result: { replanned: Record<string, number> } };
    expect(result.result.replanned.cabinets).toBeGreaterThan(0);
    const lecturesAfter = await slotsOf('lecture_video');
    const hours = (
      await db().selectFrom('subject').select('lecture_hours').where('code', '=', 'MATH-101').executeTakeFirstOrThrow()
    ).lecture_hours;
    const planned = Math.ceil(hours / 4);
    expect(lecturesAfter.map((s) => s.number)).toEqual([
      ...Array.from({ length: planned }, (_, i) => i + 1),
      last.number,
    ]);
    const assessments = await slotsOf('interim_assessment');
    expect(assessments.map((s) => s.week)).toEqual([5, 10, 14]);
    expect(result.result.replanned.kept).toBeGreaterThanOrEqual(1);
    const term = await db()
      .selectFrom('teaching_assignment')
      .select('term_id')
      .where('id', '=', cabinet.teachingAssignmentId)
      .executeTakeFirstOrThrow();
    expect(await checkSummaries(db(), term.term_id)).toEqual([]);
    // A cabinet opened from now on follows the policy too.
    const other = await db()
      .selectFrom('subject')
      .innerJoin('teaching_assignment as ta', 'ta.subject_id', 'subject.id')
      .innerJoin('app_user as u', 'u.id', 'ta.instructor_id')
      .select(['subject.code', 'subject.department_id'])
      .where('u.email', '=', 'instructor@demo.kabinet.kg')
      .where('subject.code', '<>', 'MATH-101')
      .executeTakeFirst();
    if (other?.department_id === departmentId) {
      const opened = await demoCabinet(db(), 'instructor', other.code);
      expect(opened.slots.filter((s) => s.kind === 'interim_assessment').map((s) => s.week)).toEqual([5, 10, 14]);
    }
  });
});
