import { describe, expect, it } from 'vitest';
import { principal } from '../../tests/helpers/demo-cabinet.ts';
import { testDatabaseForFile } from '../../tests/helpers/test-db.ts';
import { listVisibleCabinets } from './cabinet-list.ts';
import { getCabinetPage, slotState } from './cabinet-page.ts';
import { listTeaching, openCabinet } from './teaching.ts';
import { currentTerm } from './term.ts';
import { createExtraItem, setItemStatus, updateItem } from './items.ts';

const file = testDatabaseForFile();

async function mathAssignment() {
  const instructor = await principal(file.db, 'instructor');
  const term = (await currentTerm(file.db))!;
  const teaching = await listTeaching(file.db, instructor, term.id);
  return { instructor, term, row: teaching.find((row) => row.subjectCode === 'MATH-101')! };
}

describe('opening a cabinet', () => {
  it('creates one cabinet with the plan slots even when clicked twice at once', async () => {
    const { instructor, row } = await mathAssignment();
    const ids = await Promise.all([
      openCabinet(file.db, instructor, row.teachingAssignmentId),
      openCabinet(file.db, instructor, row.teachingAssignmentId),
    ]);
    expect(ids[0]).toBe(ids[1]);
    const cabinets = await file.db
      .selectFrom('cabinet')
      .select('id')
      .where('teaching_assignment_id', '=', row.teachingAssignmentId)
      .execute();
    expect(cabinets).toHaveLength(1);
    const slots = await file.db
      .selectFrom('slot')
      .select(['kind', 'week', 'due_at'])
      .where('cabinet_id', '=', ids[0])
      .execute();
    // MATH-101: 32 lecture hours and 32 practical hours → 16 + 16 + 2 assessments.
    expect(slots).toHaveLength(34);
    const audits = await file.db
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'cabinet.open')
      .where('object_id', '=', ids[0])
      .execute();
    expect(audits).toHaveLength(1);
  });

  it('sets each due date at the end of its week in the term time zone (Asia/Bishkek, UTC+6)', async () => {
    const { instructor, term, row } = await mathAssignment();
    const cabinetId = await openCabinet(file.db, instructor, row.teachingAssignmentId);
    const slot = await file.db
      .selectFrom('slot')
      .select('due_at')
      .where('cabinet_id', '=', cabinetId)
      .where('kind', '=', 'interim_assessment')
      .where('number', '=', 1)
      .executeTakeFirstOrThrow();
    const start = new Date(`${term.startsOn}T00:00:00Z`);
    const lastDay = new Date(start.getTime() + (8 * 7 - 1) * 86400_000).toISOString().slice(0, 10);
    expect(slot.due_at.toISOString()).toBe(`${lastDay}T17:59:59.000Z`);
  });

  it('refuses another instructor and a student, and lists a teaching row once it is open', async () => {
    const { row } = await mathAssignment();
    await expect(
      openCabinet(file.db, await principal(file.db, 'instructor2'), row.teachingAssignmentId),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      openCabinet(file.db, await principal(file.db, 'student'), row.teachingAssignmentId),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(openCabinet(file.db, await principal(file.db, 'instructor'), 'not-a-uuid')).rejects.toMatchObject({
      code: 'not_found',
    });
    const { row: after } = await mathAssignment();
    expect(after.cabinetId).toBeTruthy();
  });
});

describe('items', () => {
  it('shows drafts to the instructor and staff, only published items to students; double publish changes nothing', async () => {
    const { instructor, term, row } = await mathAssignment();
    const cabinetId = await openCabinet(file.db, instructor, row.teachingAssignmentId);
    const actor = { user: instructor, ip: null };
    const itemId = await createExtraItem(file.db, actor, cabinetId, { title: 'Кошумча адабият', description: '' });
    await expect(setItemStatus(file.db, actor, itemId, 'published')).rejects.toMatchObject({
      code: 'invalid_input',
      messageKey: 'item.publish_needs_file',
    });
    await file.db
      .insertInto('media_file')
      .values({
        item_id: itemId,
        upload_id: 'f'.repeat(32),
        storage_key: 'originals/ff/x/original.pdf',
        original_name: 'a.pdf',
        byte_size: 10,
        sha256: '0'.repeat(64),
        content_type: 'application/pdf',
        file_kind: 'document',
        processing_state: 'none',
        created_by: instructor.id,
      })
      .execute();

    const student = await principal(file.db, 'student');
    expect((await getCabinetPage(file.db, student, cabinetId)).items.map((i) => i.id)).not.toContain(itemId);
    expect(
      (await getCabinetPage(file.db, await principal(file.db, 'head'), cabinetId)).items.map((i) => i.id),
    ).toContain(itemId);

    await setItemStatus(file.db, actor, itemId, 'published');
    await setItemStatus(file.db, actor, itemId, 'published');
    const page = await getCabinetPage(file.db, student, cabinetId);
    expect(page.canEdit).toBe(false);
    expect(page.items.find((i) => i.id === itemId)?.files).toHaveLength(1);
    const publishes = await file.db
      .selectFrom('audit_event')
      .select('id')
      .where('action', '=', 'item.publish')
      .where('object_id', '=', itemId)
      .execute();
    expect(publishes).toHaveLength(1);

    await updateItem(file.db, actor, itemId, { title: 'Жаңы аталыш', description: 'сүрөттөмө' });
    expect((await getCabinetPage(file.db, student, cabinetId)).items.find((i) => i.id === itemId)?.title).toBe(
      'Жаңы аталыш',
    );
    const listed = await listVisibleCabinets(file.db, student, term.id);
    expect(listed.map((c) => c.cabinetId)).toContain(cabinetId);
    expect(await listVisibleCabinets(file.db, await principal(file.db, 'student46'), term.id)).toEqual([]);
  });
});

describe('double submits', () => {
  it('creates one extra item when the same form is submitted twice', async () => {
    const { instructor, row } = await mathAssignment();
    const cabinetId = await openCabinet(file.db, instructor, row.teachingAssignmentId);
    const actor = { user: instructor, ip: null };
    const key = '7d4a8f5e-3c2b-4a1d-9e8f-0a1b2c3d4e5f';
    const [a, b] = await Promise.all([
      createExtraItem(file.db, actor, cabinetId, { title: 'Глоссарий', description: '' }, key),
      createExtraItem(file.db, actor, cabinetId, { title: 'Глоссарий', description: '' }, key),
    ]);
    expect(a).toBe(b);
    expect(
      await file.db
        .selectFrom('item')
        .select('id')
        .where('cabinet_id', '=', cabinetId)
        .where('title', '=', 'Глоссарий')
        .execute(),
    ).toHaveLength(1);
    const other = await createExtraItem(
      file.db,
      actor,
      cabinetId,
      { title: 'Глоссарий', description: '' },
      '8d4a8f5e-3c2b-4a1d-9e8f-0a1b2c3d4e5f',
    );
    expect(other).not.toBe(a);
  });
});

describe('slot state', () => {
  const due = new Date('2026-10-04T17:59:59Z');
  it('is delivered from its delivery moment on, overdue once due without one', () => {
    expect(slotState(due, new Date('2026-11-01'), new Date('2026-12-01'))).toBe('delivered');
    expect(slotState(due, new Date('2026-11-01'), new Date('2026-10-20'))).toBe('overdue'); // as it stood before delivery
    expect(slotState(due, null, new Date('2026-12-01'))).toBe('overdue');
    expect(slotState(due, null, new Date('2026-10-01'))).toBe('open');
  });

  it('marks the slots of the cabinet page by that rule', async () => {
    const { instructor, term, row } = await mathAssignment();
    const cabinetId = await openCabinet(file.db, instructor, row.teachingAssignmentId);
    const afterTerm = new Date(new Date(`${term.startsOn}T00:00:00Z`).getTime() + (term.weeks * 7 + 1) * 86400_000);
    const page = await getCabinetPage(file.db, instructor, cabinetId, afterTerm);
    expect(new Set(page.slots.map((slot) => slot.state))).toEqual(new Set(['overdue']));
    const before = await getCabinetPage(file.db, instructor, cabinetId, new Date(`${term.startsOn}T00:00:00Z`));
    expect(new Set(before.slots.map((slot) => slot.state))).toEqual(new Set(['open']));
  });
});
