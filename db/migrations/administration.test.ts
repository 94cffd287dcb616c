// The administration migration keeps every user's access: each old (role, faculty, department) becomes one role assignment.
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { describe, expect, it } from 'vitest';
import { emptyDatabase } from '../../tests/helpers/test-db.ts';
import { migrations } from './index.ts';

const database = emptyDatabase();

const migrator = () => new Migrator({ db: database(), provider: { getMigrations: async () => migrations } });

describe('2026-11-29T1000-administration', () => {
  it('gives every user of the old single-role table exactly the role and scope they had, and keeps students students', async () => {
    const db = database();
    expect((await migrator().migrateTo('2026-11-27T0400-report-job')).error).toBeUndefined();
    const faculty = await sql<{
      id: string;
    }>`insert into faculty (name, kind) values ('F', 'faculty') returning id`.execute(db);
    const facultyId = faculty.rows[0]!.id;
    const department = await sql<{
      id: string;
    }>`insert into department (faculty_id, name) values (${facultyId}, 'D') returning id`.execute(db);
    const departmentId = department.rows[0]!.id;
    const users: Array<[string, string, string | null, string | null]> = [
      ['admin', 'admin', null, null],
      ['rector', 'vice_rector', null, null],
      ['dean', 'dean', facultyId, null],
      ['head', 'head', facultyId, departmentId],
      ['teacher', 'instructor', facultyId, departmentId],
      ['student', 'student', null, null],
    ];
    for (const [key, role, fid, did] of users) {
      await sql`insert into app_user (email, password_hash, full_name, role, faculty_id, department_id) values (${`${key}@x.kg`}, 'h', ${key}, ${role}, ${fid}, ${did})`.execute(
        db,
      );
    }
    await sql`insert into term (academic_year, semester, starts_on, weeks) values ('2026-2027', 1, '2026-09-07', 16)`.execute(
      db,
    );

    expect((await migrator().migrateToLatest()).error).toBeUndefined();
    const grants = await sql<{ email: string; role: string; faculty_id: string | null; department_id: string | null }>`
      select u.email, r.role, r.faculty_id, r.department_id from role_assignment r join app_user u on u.id = r.user_id order by u.email`.execute(
      db,
    );
    expect(grants.rows).toEqual([
      { email: 'admin@x.kg', role: 'admin', faculty_id: null, department_id: null },
      { email: 'dean@x.kg', role: 'dean', faculty_id: facultyId, department_id: null },
      { email: 'head@x.kg', role: 'head', faculty_id: null, department_id: departmentId },
      { email: 'rector@x.kg', role: 'vice_rector', faculty_id: null, department_id: null },
      { email: 'teacher@x.kg', role: 'instructor', faculty_id: null, department_id: departmentId },
    ]);
    const codes = await sql<{ faculty: string; department: string; term: string }>`
      select (select code from faculty) as faculty, (select code from department) as department, (select code from term) as term`.execute(
      db,
    );
    expect(codes.rows[0]).toEqual({ faculty: 'F1', department: 'D1', term: '2026-2027-1' });
  });
});
