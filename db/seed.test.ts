import { describe, expect, it } from 'vitest';
import { testDatabaseForFile } from '../tests/helpers/test-db.ts';
import { hasDemoAccounts, seedDemo } from './seed.ts';
import { demoTermFor } from './demo.ts';

const file = testDatabaseForFile();

const count = async (
  table: 'app_user' | 'subject' | 'study_group' | 'department' | 'faculty' | 'teaching_assignment',
) =>
  Number(
    (
      await file.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('demo seed', () => {
  it('holds the demo university the README promises', async () => {
    expect(await count('faculty')).toBe(2);
    expect(await count('department')).toBe(3);
    expect(await count('subject')).toBe(10);
    expect(await count('study_group')).toBe(4);
    const roles = await file.db
      .selectFrom('role_assignment')
      .select(['role', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('role')
      .execute();
    expect(Object.fromEntries(roles.map((r) => [r.role, Number(r.n)]))).toEqual({
      admin: 1,
      vice_rector: 1,
      dean: 1,
      head: 3,
      instructor: 6,
    });
    expect(await count('app_user')).toBe(72);
    const students = await file.db
      .selectFrom('group_student')
      .select((eb) => eb.fn.count<string>('student_id').distinct().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(students.n)).toBe(60);
    const forms = await file.db.selectFrom('study_group').select('study_form').distinct().execute();
    expect(forms.map((f) => f.study_form).sort()).toEqual(['correspondence', 'distance', 'full_time']);
    const commission = await file.db
      .selectFrom('department')
      .innerJoin('faculty', 'faculty.id', 'department.faculty_id')
      .select(['department.kind', 'faculty.kind as facultyKind'])
      .where('department.kind', '=', 'commission')
      .executeTakeFirstOrThrow();
    expect(commission.facultyKind).toBe('college');
    expect(await hasDemoAccounts(file.db)).toBe(true);
  });

  it('changes nothing when run again', async () => {
    const before = await count('app_user');
    expect(await seedDemo(file.db, async () => 'unused')).toBe(false);
    expect(await count('app_user')).toBe(before);
  });
});

describe('demoTermFor', () => {
  it('is the autumn term from September and the spring term from February, starting on a Monday', () => {
    expect(demoTermFor(new Date('2026-11-26T00:00:00Z'))).toEqual({
      academicYear: '2026-2027',
      semester: 1,
      startsOn: '2026-09-07',
    });
    expect(demoTermFor(new Date('2027-01-10T00:00:00Z'))).toEqual({
      academicYear: '2026-2027',
      semester: 1,
      startsOn: '2026-09-07',
    });
    expect(demoTermFor(new Date('2027-03-01T00:00:00Z'))).toEqual({
      academicYear: '2026-2027',
      semester: 2,
      startsOn: '2027-02-01',
    });
  });
});
