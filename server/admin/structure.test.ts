// The structure forms (through the import's checks), archiving, a department's teaching kept by its
// head (re-scoping keeps what was delivered; the reports stay exact), and the term rollover.
import { describe, expect, it } from 'vitest';
import { demoCabinet, demoScopeOf, principal } from '../../tests/helpers/demo-cabinet.ts';
import { testDatabaseForFile } from '../../tests/helpers/test-db.ts';
import { getCabinetPage } from '../cabinets/cabinet-page.ts';
import { createExtraItem } from '../cabinets/items.ts';
import { checkSummaries } from '../reports/consistency.ts';
import { catchUp } from '../reports/summaries.ts';
import { listStructure, saveStructure, setArchived, structurePickers } from './structure.ts';
import { teachingPage } from './teaching.ts';
import { addTeaching, setTeachingEnded, setTeachingGroups } from './teaching-changes.ts';
import { rolloverTerm } from './term-rollover.ts';

const file = testDatabaseForFile();
const db = () => file.db;
const as = async (account: string) => ({ user: await principal(db(), account), ip: null });

describe('structure', () => {
  it('adds and edits with the import rules, keeps codes, and archives out of the pickers but not out of the list', async () => {
    const admin = await as('admin');
    expect(
      await saveStructure(
        db(),
        admin,
        'departments',
        { code: 'CHEM', faculty_code: 'FMIT', name_ky: 'Химия кафедрасы', name_ru: '', name_en: '', kind: '' },
        'create',
      ),
    ).toEqual([]);
    const taken = await saveStructure(
      db(),
      admin,
      'departments',
      { code: 'CHEM', faculty_code: 'FMIT', name_ky: 'Экинчи' },
      'create',
    );
    expect(taken.map((p) => [p.column, p.key])).toEqual([['code', 'code_taken']]);
    const bad = await saveStructure(
      db(),
      admin,
      'subjects',
      {
        code: 'CH 101',
        department_code: 'NOPE',
        name_ky: 'Х',
        lecture_hours: 'он',
        practical_hours: '8',
        credits: '3',
      },
      'create',
    );
    expect(bad.map((p) => [p.column, p.key]).sort()).toEqual([
      ['code', 'bad_code'],
      ['lecture_hours', 'not_integer'],
    ]);
    const unknown = await saveStructure(
      db(),
      admin,
      'subjects',
      {
        code: 'CH-101',
        department_code: 'NOPE',
        name_ky: 'Х',
        lecture_hours: '10',
        practical_hours: '8',
        credits: '3',
      },
      'create',
    );
    expect(unknown.map((p) => [p.column, p.key])).toEqual([['department_code', 'unknown_code']]);
    expect(
      await saveStructure(
        db(),
        admin,
        'departments',
        {
          code: 'CHEM',
          faculty_code: 'FMIT',
          name_ky: 'Химия кафедрасы',
          name_ru: 'Кафедра химии',
          kind: 'department',
        },
        'update',
      ),
    ).toEqual([]);
    const { rows } = await listStructure(db(), admin.user, 'departments', 'химии');
    expect(rows.map((row) => row.values)).toEqual([
      {
        code: 'CHEM',
        faculty_code: 'FMIT',
        name_ky: 'Химия кафедрасы',
        name_ru: 'Кафедра химии',
        name_en: '',
        kind: 'department',
      },
    ]);

    await setArchived(db(), admin, 'departments', rows[0]!.id, true);
    expect((await structurePickers(db(), 'ru')).departments.map((d) => d.value)).not.toContain('CHEM');
    expect((await listStructure(db(), admin.user, 'departments', 'CHEM')).rows[0]).toMatchObject({ archived: true });
    const archived = await saveStructure(
      db(),
      admin,
      'subjects',
      {
        code: 'CH-101',
        department_code: 'CHEM',
        name_ky: 'Х',
        lecture_hours: '10',
        practical_hours: '8',
        credits: '3',
      },
      'create',
    );
    expect(archived.map((p) => p.key)).toEqual(['archived_code']);
    await setArchived(db(), admin, 'departments', rows[0]!.id, false);
    expect((await structurePickers(db(), 'ru')).departments.map((d) => d.label)).toContain('CHEM · Кафедра химии');
    const audit = await db()
      .selectFrom('audit_event')
      .select('action')
      .where('action', 'like', 'departments.%')
      .orderBy('id')
      .execute();
    expect(audit.map((row) => row.action)).toEqual([
      'departments.create',
      'departments.update',
      'departments.archive',
      'departments.restore',
    ]);
  });
});

describe("a department's teaching", () => {
  it('is kept by its head: groups re-scoped with delivered items kept, ended read-only, the reports exact', async () => {
    const head = await as('head');
    const department = (await demoScopeOf(db(), 'head')).departmentId!;
    await expect(teachingPage(db(), (await as('head2')).user, department, null)).rejects.toMatchObject({
      code: 'forbidden',
    });
    const page = await teachingPage(db(), head.user, department, null);
    expect(page.teaching.map((row) => row.subjectCode).sort()).toEqual(['CS-102', 'CS-201', 'CS-202', 'MATH-101']);

    const cabinet = await demoCabinet(db(), 'instructor', 'MATH-101');
    await createExtraItem(db(), { user: cabinet.user, ip: null }, cabinet.cabinetId, {
      title: 'Delivered before',
      description: '',
    });
    const groups = Object.fromEntries(page.pickers.groups.map((g) => [g.label, g.id]));
    await setTeachingGroups(db(), head, cabinet.teachingAssignmentId, [groups['ПМИ-1-24']!]);
    await expect(getCabinetPage(db(), await principal(db(), 'student16'), cabinet.cabinetId)).rejects.toMatchObject({
      code: 'not_found',
    });
    const seen = await getCabinetPage(db(), await principal(db(), 'student'), cabinet.cabinetId);
    expect(seen.groups).toEqual(['ПМИ-1-24']);
    expect((await getCabinetPage(db(), cabinet.user, cabinet.cabinetId)).items.map((item) => item.title)).toContain(
      'Delivered before',
    );

    await setTeachingEnded(db(), head, cabinet.teachingAssignmentId, true);
    const ended = await getCabinetPage(db(), cabinet.user, cabinet.cabinetId);
    expect(ended.canEdit).toBe(false);
    await expect(
      createExtraItem(db(), { user: cabinet.user, ip: null }, cabinet.cabinetId, {
        title: 'After the end',
        description: '',
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await setTeachingEnded(db(), head, cabinet.teachingAssignmentId, false);

    // Teaching a subject of another department, or a group the instructor studies in, is refused.
    const physics = await db()
      .selectFrom('subject')
      .select('id')
      .where('code', '=', 'PHY-101')
      .executeTakeFirstOrThrow();
    const instructor = await db()
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', 'instructor2@demo.kabinet.kg')
      .executeTakeFirstOrThrow();
    const input = {
      termId: page.term!.id,
      instructorId: instructor.id,
      subjectId: physics.id,
      groupIds: [groups['ПМИ-1-24']!],
    };
    await expect(addTeaching(db(), head, department, input)).rejects.toMatchObject({ code: 'invalid_input' });
    const math = await db().selectFrom('subject').select('id').where('code', '=', 'MATH-101').executeTakeFirstOrThrow();
    // The head assigns their own department's instructors, not another department's.
    const physicist = await db()
      .selectFrom('app_user')
      .select('id')
      .where('email', '=', 'instructor3@demo.kabinet.kg')
      .executeTakeFirstOrThrow();
    await expect(
      addTeaching(db(), head, department, { ...input, subjectId: math.id, instructorId: physicist.id }),
    ).rejects.toMatchObject({ messageKey: 'admin.teaching.incomplete' });
    expect(await addTeaching(db(), head, department, { ...input, subjectId: math.id })).toMatch(/^[0-9a-f-]{36}$/);
    await expect(addTeaching(db(), head, department, { ...input, subjectId: math.id })).rejects.toMatchObject({
      messageKey: 'admin.teaching.exists',
    });
    await catchUp(db());
    expect(await checkSummaries(db(), page.term!.id)).toEqual([]);
  });
});

describe('term rollover', () => {
  it("creates the next term and copies a term's teaching with its groups, once", async () => {
    const admin = await as('admin');
    const from = await db().selectFrom('current_term').select('id').executeTakeFirstOrThrow();
    const before = await db()
      .selectFrom('teaching_assignment')
      .select('id')
      .where('term_id', '=', from.id)
      .where('ended_at', 'is', null)
      .execute();
    const input = {
      fromTermId: from.id,
      code: 'NEXT-2',
      academicYear: '2026-2027',
      semester: '2',
      startsOn: '2027-02-01',
      weeks: '16',
      timeZone: 'Asia/Bishkek',
      copyTeaching: true,
    };
    const done = await rolloverTerm(db(), admin, input);
    expect(done.problems).toEqual({});
    expect(done.copied).toBe(before.length);
    const groups = await db()
      .selectFrom('teaching_assignment_group as tag')
      .innerJoin('teaching_assignment as ta', 'ta.id', 'tag.teaching_assignment_id')
      .select('tag.group_id')
      .where('ta.term_id', '=', done.termId)
      .execute();
    expect(groups.length).toBeGreaterThanOrEqual(before.length);
    expect((await rolloverTerm(db(), admin, input)).problems).toEqual({ code: 'code_taken' });
    expect((await rolloverTerm(db(), admin, { ...input, code: 'NEXT-3' })).problems).toEqual({ code: 'term_exists' });
    expect((await rolloverTerm(db(), admin, { ...input, code: 'BAD', startsOn: '2027-02-30' })).problems).toEqual({
      starts_on: 'bad_date',
    });
  });
});
