// Importing the registrar's files into a real PostgreSQL: the demo university from a workbook into
// an empty database, previews that write nothing, problems with their rows, sync mode, and the
// refusals (the last admin, a file with problems).
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../../db/client.ts';
import { createEmptyDatabase, createTestDatabase, testDatabaseForFile } from '../../../tests/helpers/test-db.ts';
import { sheet, tempDir, workbookFile } from '../../../tests/helpers/import-files.ts';
import { checkSummaries } from '../../reports/consistency.ts';
import { catchUp } from '../../reports/summaries.ts';
import { translatorFor } from '../../i18n/i18n.ts';
import { exportUniversity } from './export-university.ts';
import { writeTemplate } from './import-template.ts';
import type { ImportReport } from './import-report.ts';
import { runImport, type RunImportInput } from './run-import.ts';

const seeded = testDatabaseForFile();
let empty: Awaited<ReturnType<typeof createEmptyDatabase>>;
let dir: string;

beforeAll(async () => {
  empty = await createEmptyDatabase();
  dir = await tempDir();
});
afterAll(() => empty?.drop());

const input = (filePath: string, more: Partial<RunImportInput> = {}): RunImportInput => ({
  filePath,
  fileName: filePath.split('/').pop()!,
  options: { termCode: null, sync: false },
  apply: false,
  applyValidOnly: false,
  actor: { id: null, ip: null },
  ...more,
});
const total = (report: ImportReport, field: 'created' | 'updated' | 'disabled') =>
  Object.values(report.kinds).reduce((n, k) => n + k[field], 0);
const countOf = async (db: Db, table: string) =>
  Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]!.n);

describe('the demo university from a workbook', () => {
  it('previews without writing, then applies into an empty database exactly what the demo seed makes', async () => {
    const file = await workbookFile(dir, await exportUniversity(seeded.db), 'demo.xlsx');
    const preview = await runImport(empty.db, input(file));
    expect(preview.outcome).toBe('preview');
    expect(preview.problemCount).toBe(0);
    expect(preview.kinds.people).toMatchObject({ rows: 72, created: 72, updated: 0, unchanged: 0 });
    expect(await countOf(empty.db, 'app_user')).toBe(0);

    const applied = await runImport(empty.db, input(file, { apply: true }));
    expect(applied.outcome).toBe('applied');
    expect(applied.kinds).toEqual(preview.kinds);
    expect(await exportUniversity(empty.db)).toEqual(await exportUniversity(seeded.db));
    // Imported people set their password through a sign-in link first.
    expect(await countOf(empty.db, 'app_user')).toBe(await countOf(seeded.db, 'app_user'));
    const withPassword = await empty.db
      .selectFrom('app_user')
      .select('id')
      .where('password_hash', 'is not', null)
      .execute();
    expect(withPassword).toHaveLength(0);
  });

  it('changes nothing when the same file is applied again, and says so', async () => {
    const file = await workbookFile(dir, await exportUniversity(seeded.db), 'demo-again.xlsx');
    const again = await runImport(empty.db, input(file, { apply: true }));
    expect(again.outcome).toBe('applied');
    expect([total(again, 'created'), total(again, 'updated'), total(again, 'disabled')]).toEqual([0, 0, 0]);
    expect(again.kinds.group_members).toMatchObject({ rows: 60, unchanged: 60 });
    const audit = await empty.db
      .selectFrom('audit_event')
      .select('action')
      .where('action', '=', 'import.apply')
      .execute();
    expect(audit).toHaveLength(2);
  });
});

describe('the template', () => {
  it('imports as it is, with no problem, into an empty database and beside the demo', async () => {
    const fresh = await createEmptyDatabase();
    try {
      const file = path.join(dir, 'template.xlsx');
      const out = createWriteStream(file);
      await writeTemplate(out, translatorFor('ky'));
      await finished(out);
      for (const db of [fresh.db, seeded.db]) {
        const report = await runImport(db, input(file));
        expect(report.problems).toEqual([]);
        expect(Object.keys(report.kinds)).toHaveLength(9);
      }
      expect((await runImport(fresh.db, input(file, { apply: true }))).outcome).toBe('applied');
    } finally {
      await fresh.drop();
    }
  });
});

describe('problems', () => {
  const faulty = () => [
    sheet(
      'subjects',
      ['code', 'department_code', 'name_ky', 'lecture_hours', 'practical_hours', 'credits'],
      [
        ['NEW-1', 'AMI', 'Жаңы сабак', 32, 16, 4],
        ['NEW-2', 'NOPE', 'Белгисиз кафедра', 32, 16, 4],
        ['NEW-3', 'AMI', 'Саат туура эмес', 'отуз', 16, 4],
      ],
    ),
    sheet(
      'people',
      ['external_id', 'email', 'full_name'],
      [
        ['X-1', 'new.person@demo.kabinet.kg', 'Жаңы Адам'],
        ['X-2', 'not-an-email', 'Туура эмес почта'],
        ['X-3', 'student@demo.kabinet.kg', 'Башка адам'],
      ],
    ),
  ];

  it('lists every faulty row with its sheet, row and column, and refuses to apply unless asked for the valid rows only', async () => {
    // A person the registrar knows under another id has the e-mail row 4 gives.
    await seeded.db
      .updateTable('app_user')
      .set({ external_id: 'EXT-S1' })
      .where('email', '=', 'student@demo.kabinet.kg')
      .execute();
    const file = await workbookFile(dir, faulty(), 'faulty.xlsx');
    const preview = await runImport(seeded.db, input(file));
    const found = preview.problems.map((p) => [p.source, p.row, p.column, p.key]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['subjects', 3, 'department_code', 'unknown_code'],
        ['subjects', 4, 'lecture_hours', 'not_integer'],
        ['people', 3, 'email', 'bad_email'],
        ['people', 4, 'email', 'email_taken'],
      ]),
    );
    expect(preview.rowsWithProblems).toBe(4);
    expect(preview.kinds.subjects).toMatchObject({ rows: 3, created: 1, errors: 2 });

    const refused = await runImport(seeded.db, input(file, { apply: true }));
    expect(refused.outcome).toBe('refused');
    expect(await seeded.db.selectFrom('subject').select('id').where('code', '=', 'NEW-1').execute()).toHaveLength(0);

    const partial = await runImport(seeded.db, input(file, { apply: true, applyValidOnly: true }));
    expect(partial.outcome).toBe('applied');
    expect(await seeded.db.selectFrom('subject').select('code').where('code', 'like', 'NEW-%').execute()).toEqual([
      { code: 'NEW-1' },
    ]);
    expect(
      await seeded.db.selectFrom('app_user').select('full_name').where('external_id', '=', 'X-1').execute(),
    ).toEqual([{ full_name: 'Жаңы Адам' }]);
  });

  it('refuses duplicate codes within the file and against the database', async () => {
    const file = await workbookFile(
      dir,
      [
        sheet(
          'terms',
          ['code', 'academic_year', 'semester', 'starts_on', 'weeks'],
          [
            ['T-A', '2027-2028', 1, '2027-09-06', 16],
            ['T-A', '2027-2028', 2, '2028-02-07', 16],
            [
              'T-OTHER',
              (await seeded.db.selectFrom('term').select('academic_year').executeTakeFirstOrThrow()).academic_year,
              1,
              '2026-09-07',
              16,
            ],
          ],
        ),
        sheet(
          'groups',
          ['code', 'faculty_code', 'study_form'],
          [
            ['GR-1', 'FMIT', 'full_time'],
            ['GR-1', 'FMIT', 'distance'],
          ],
        ),
      ],
      'duplicates.xlsx',
    );
    const preview = await runImport(seeded.db, input(file));
    expect(preview.problems.map((p) => [p.source, p.row, p.key, p.params])).toEqual(
      expect.arrayContaining([
        ['terms', 3, 'duplicate_key', { row: 2 }],
        ['terms', 4, 'term_exists', { code: expect.any(String) }],
        ['groups', 3, 'duplicate_key', { row: 2 }],
      ]),
    );
  });

  it('refuses an import that would leave no active administrator, even for its valid rows', async () => {
    const file = await workbookFile(
      dir,
      [sheet('people', ['email', 'full_name', 'status'], [['admin@demo.kabinet.kg', 'Админ', 'disabled']])],
      'no-admin.xlsx',
    );
    const report = await runImport(seeded.db, input(file, { apply: true, applyValidOnly: true }));
    expect(report.outcome).toBe('refused');
    expect(report.problems.map((p) => p.key)).toContain('no_admin_left');
    const admin = await seeded.db
      .selectFrom('app_user')
      .select('disabled_at')
      .where('email', '=', 'admin@demo.kabinet.kg')
      .executeTakeFirstOrThrow();
    expect(admin.disabled_at).toBeNull();
  });

  it('refuses a person who would teach a group they study in', async () => {
    const term = await seeded.db.selectFrom('term').select('code').executeTakeFirstOrThrow();
    const file = await workbookFile(
      dir,
      [
        sheet('roles', ['person', 'role', 'scope_code'], [['student2@demo.kabinet.kg', 'instructor', 'AMI']]),
        sheet(
          'teaching',
          ['term_code', 'person', 'subject_code', 'group_codes'],
          [[term.code, 'student2@demo.kabinet.kg', 'CS-202', 'ПМИ-1-24']],
        ),
      ],
      'own-group.xlsx',
    );
    const report = await runImport(seeded.db, input(file));
    expect(report.problems.map((p) => [p.source, p.row, p.column, p.key, p.params])).toEqual([
      ['teaching', 2, 'person', 'teaches_own_group', { code: 'ПМИ-1-24' }],
    ]);
  });
});

describe('two imports at the same time', () => {
  it('runs them one after the other: the second waits for the first to finish', async () => {
    const first = await workbookFile(
      dir,
      [sheet('faculties', ['code', 'name_ky'], [['PAR-1', 'Биринчи']])],
      'first.xlsx',
    );
    const second = await workbookFile(
      dir,
      [sheet('faculties', ['code', 'name_ky'], [['PAR-1', 'Экинчи']])],
      'second.xlsx',
    );
    const order: string[] = [];
    let releaseFirst!: () => void;
    const firstHeld = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstWriting!: () => void;
    const firstIsWriting = new Promise<void>((resolve) => (firstWriting = resolve));
    const a = runImport(seeded.db, input(first, { apply: true }), (progress) => {
      if (progress.phase === 'writing' && order.length === 0) {
        order.push('first writing');
        firstWriting();
      }
    });
    await firstIsWriting;
    const b = runImport(seeded.db, input(second, { apply: true }), (progress) => {
      if (progress.phase === 'reading' && !order.includes('second reading')) order.push('second reading');
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    order.push('first released');
    releaseFirst();
    await firstHeld;
    const [ra, rb] = await Promise.all([a, b]);
    expect([ra.outcome, rb.outcome]).toEqual(['applied', 'applied']);
    expect(order[0]).toBe('first writing');
    expect(order.indexOf('second reading')).toBeGreaterThan(0);
    expect(ra.kinds.faculties?.created).toBe(1);
    expect(rb.kinds.faculties).toMatchObject({ created: 0, updated: 1 });
    expect(
      (await seeded.db.selectFrom('faculty').select('name').where('code', '=', 'PAR-1').executeTakeFirstOrThrow()).name,
    ).toBe('Экинчи');
  });
});

describe('sync mode', () => {
  // A database of its own: the tests above gave some demo people external ids.
  let own: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    own = await createTestDatabase();
  });
  afterAll(() => own?.drop());

  it('disables, ends and re-scopes only what the registrar manages, keeps delivered items, and keeps the reports exact', async () => {
    const { db } = own;
    const term = await db.selectFrom('term').select('code').executeTakeFirstOrThrow();
    const setup = await workbookFile(
      dir,
      [
        sheet(
          'people',
          ['external_id', 'email', 'full_name'],
          [
            ['R-T1', 'r.t1@demo.kabinet.kg', 'Реестр Окутуучу'],
            ['R-S1', 'r.s1@demo.kabinet.kg', 'Реестр Студент 1'],
            ['R-S2', 'r.s2@demo.kabinet.kg', 'Реестр Студент 2'],
          ],
        ),
        sheet('roles', ['person', 'role', 'scope_code'], [['R-T1', 'instructor', 'AMI']]),
        sheet(
          'group_members',
          ['group_code', 'person'],
          [
            ['ПМИ-1-24', 'R-S1'],
            ['ПМИ-1-24', 'R-S2'],
          ],
        ),
        sheet(
          'teaching',
          ['term_code', 'person', 'subject_code', 'group_codes'],
          [
            [term.code, 'R-T1', 'CS-201', 'ПМИ-1-24 ПМИ-2-24з'],
            [term.code, 'R-T1', 'PHY-101', 'ФИЗ-1-24д'],
          ],
        ),
      ],
      'sync-setup.xlsx',
    );
    const first = await runImport(db, input(setup, { apply: true }));
    expect(first.problems).toEqual([]);
    expect(first.outcome).toBe('applied');
    const teacher = await db
      .selectFrom('app_user')
      .select('id')
      .where('external_id', '=', 'R-T1')
      .executeTakeFirstOrThrow();
    const cs201 = await db
      .selectFrom('teaching_assignment as ta')
      .innerJoin('subject', 'subject.id', 'ta.subject_id')
      .select('ta.id')
      .where('ta.instructor_id', '=', teacher.id)
      .where('subject.code', '=', 'CS-201')
      .executeTakeFirstOrThrow();
    const cabinet = await db
      .insertInto('cabinet')
      .values({ teaching_assignment_id: cs201.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('item')
      .values({
        cabinet_id: cabinet.id,
        title: 'Delivered',
        status: 'published',
        published_at: new Date(),
        created_by: teacher.id,
      })
      .execute();

    // The registrar's next file: student 2 left, CS-201 is taught to one group only, PHY-101 is gone.
    const next = await workbookFile(
      dir,
      [
        sheet(
          'people',
          ['external_id', 'email', 'full_name'],
          [
            ['R-T1', 'r.t1@demo.kabinet.kg', 'Реестр Окутуучу'],
            ['R-S1', 'r.s1@demo.kabinet.kg', 'Реестр Студент 1'],
          ],
        ),
        sheet('roles', ['person', 'role', 'scope_code'], [['R-T1', 'instructor', 'AMI']]),
        sheet('group_members', ['group_code', 'person'], [['ПМИ-1-24', 'R-S1']]),
        sheet(
          'teaching',
          ['term_code', 'person', 'subject_code', 'group_codes'],
          [[term.code, 'R-T1', 'CS-201', 'ПМИ-1-24']],
        ),
      ],
      'sync-next.xlsx',
    );
    const report = await runImport(db, input(next, { apply: true, options: { termCode: term.code, sync: true } }));
    expect(report.outcome).toBe('applied');
    expect(report.kinds.people).toMatchObject({ disabled: 1, unchanged: 2 });
    expect(report.kinds.group_members).toMatchObject({ disabled: 1 });
    expect(report.kinds.teaching).toMatchObject({ updated: 1, disabled: 1 });

    const left = await db
      .selectFrom('app_user')
      .select(['disabled_at', 'id'])
      .where('external_id', '=', 'R-S2')
      .executeTakeFirstOrThrow();
    expect(left.disabled_at).not.toBeNull();
    expect(
      await db.selectFrom('group_student_ended').select('group_id').where('student_id', '=', left.id).execute(),
    ).toHaveLength(1);
    // People made without an external id (the demo) are never touched by sync.
    expect(
      await db
        .selectFrom('app_user')
        .select('id')
        .where('email', 'like', '%@demo.kabinet.kg')
        .where('external_id', 'is', null)
        .where('disabled_at', 'is not', null)
        .execute(),
    ).toHaveLength(0);
    expect(
      await db
        .selectFrom('teaching_assignment_group')
        .select('group_id')
        .where('teaching_assignment_id', '=', cs201.id)
        .execute(),
    ).toHaveLength(1);
    expect(await db.selectFrom('item').select('title').where('cabinet_id', '=', cabinet.id).execute()).toEqual([
      { title: 'Delivered' },
    ]);
    const ended = await db
      .selectFrom('teaching_assignment as ta')
      .innerJoin('subject', 'subject.id', 'ta.subject_id')
      .select('ta.ended_at')
      .where('subject.code', '=', 'PHY-101')
      .where('ta.instructor_id', '=', teacher.id)
      .executeTakeFirstOrThrow();
    expect(ended.ended_at).not.toBeNull();
    await catchUp(db);
    expect(await checkSummaries(db, (await db.selectFrom('term').select('id').executeTakeFirstOrThrow()).id)).toEqual(
      [],
    );
  });
});
