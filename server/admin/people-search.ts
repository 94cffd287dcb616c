// The admin's view of people: the university's counts, the people search (name, e-mail or
// external id on a trigram index; filters; keyset pages by name) and what the people pages offer to
// choose from. One person's page is in person-page.ts.
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { AssignedRole, Locale } from '../../db/schema.ts';
import { requirePermission, type Principal } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { localName } from '../i18n/names.ts';
import type { PersonState } from '../common/people-filters.ts';

export const peoplePageSize = 50;
export type PeopleFilters = {
  q: string;
  role: AssignedRole | 'student' | null;
  facultyId: string | null;
  departmentId: string | null;
  groupId: string | null;
  state: PersonState | null;
};

export type PersonRow = {
  id: string;
  fullName: string;
  email: string;
  externalId: string | null;
  disabled: boolean;
  hasPassword: boolean;
  roles: string[];
  groups: string[];
};

const uuidOrNull = (value: string | null) => (value && isUuid(value) ? value : null);

export async function universityCounts(db: Db, user: Principal) {
  requirePermission(user, 'admin.manage', {});
  const result = await sql<Record<string, string>>`
    select (select count(*) from faculty where archived_at is null) as faculties,
      (select count(*) from department where archived_at is null) as departments,
      (select count(*) from subject where archived_at is null) as subjects,
      (select count(*) from study_group where archived_at is null) as groups,
      (select count(*) from app_user where disabled_at is null) as people,
      (select count(*) from cabinet) as cabinets`.execute(db);
  const row = result.rows[0]!;
  return {
    faculties: Number(row.faculties),
    departments: Number(row.departments),
    subjects: Number(row.subjects),
    groups: Number(row.groups),
    people: Number(row.people),
    cabinets: Number(row.cabinets),
  };
}

const everyone = (db: Db) => db.selectFrom('app_user as u');
type PeopleQuery = ReturnType<typeof everyone>;

/** The people the filters match: the search text, a role (or being a student), a place, a state. */
function matching(db: Db, filters: PeopleFilters): PeopleQuery {
  const q = filters.q.trim().toLowerCase().slice(0, 100);
  let query = everyone(db);
  if (q) query = query.where('u.search', 'like', `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  if (filters.role === 'student')
    query = query.where((eb) =>
      eb.exists(eb.selectFrom('group_student as gs').select('gs.group_id').whereRef('gs.student_id', '=', 'u.id')),
    );
  else if (filters.role) {
    const role = filters.role;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('role_assignment as ra')
          .select('ra.id')
          .whereRef('ra.user_id', '=', 'u.id')
          .where('ra.role', '=', role)
          .where('ra.ended_at', 'is', null),
      ),
    );
  }
  query = inPlace(query, filters);
  if (filters.state === 'active') query = query.where('u.disabled_at', 'is', null);
  if (filters.state === 'disabled') query = query.where('u.disabled_at', 'is not', null);
  if (filters.state === 'no_password') query = query.where('u.password_hash', 'is', null);
  return query;
}

/** Narrows to the people of a department, of a faculty, or of a group (each a filter, if given). */
function inPlace(people: PeopleQuery, filters: PeopleFilters): PeopleQuery {
  const facultyId = uuidOrNull(filters.facultyId);
  const departmentId = uuidOrNull(filters.departmentId);
  const groupId = uuidOrNull(filters.groupId);
  let query = people;
  if (departmentId) {
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('role_assignment as ra')
          .select('ra.id')
          .whereRef('ra.user_id', '=', 'u.id')
          .where('ra.department_id', '=', departmentId)
          .where('ra.ended_at', 'is', null),
      ),
    );
  }
  if (facultyId) {
    // Staff of the faculty (its dean, its departments' people) and students of its groups.
    query = query.where((eb) =>
      eb.or([
        eb.exists(
          eb
            .selectFrom('role_assignment as ra')
            .leftJoin('department as d', 'd.id', 'ra.department_id')
            .select('ra.id')
            .whereRef('ra.user_id', '=', 'u.id')
            .where('ra.ended_at', 'is', null)
            .where((inner) =>
              inner.or([inner('ra.faculty_id', '=', facultyId), inner('d.faculty_id', '=', facultyId)]),
            ),
        ),
        eb.exists(
          eb
            .selectFrom('group_student as gs')
            .innerJoin('study_group as g', 'g.id', 'gs.group_id')
            .select('gs.group_id')
            .whereRef('gs.student_id', '=', 'u.id')
            .where('g.faculty_id', '=', facultyId),
        ),
      ]),
    );
  }
  if (groupId)
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('group_student as gs')
          .select('gs.group_id')
          .whereRef('gs.student_id', '=', 'u.id')
          .where('gs.group_id', '=', groupId),
      ),
    );
  return query;
}

/** A page of people matching the filters, by name; `after` is the last row of the previous page. */
export async function searchPeople(
  db: Db,
  user: Principal,
  filters: PeopleFilters,
  after: { name: string; id: string } | null,
) {
  requirePermission(user, 'admin.manage', {});
  const query = matching(db, filters);
  const total = await query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  let page = query;
  if (after) page = page.where((eb) => eb(eb.refTuple('u.full_name', 'u.id'), '>', eb.tuple(after.name, after.id)));
  const rows = await page
    .select((eb) => [
      'u.id',
      'u.full_name',
      'u.email',
      'u.external_id',
      'u.disabled_at',
      sql<boolean>`u.password_hash is not null`.as('has_password'),
      eb
        .selectFrom('role_assignment as ra')
        .select(sql<string[]>`array_agg(distinct ra.role)`.as('r'))
        .whereRef('ra.user_id', '=', 'u.id')
        .where('ra.ended_at', 'is', null)
        .as('roles'),
      eb
        .selectFrom('group_student as gs')
        .innerJoin('study_group as g', 'g.id', 'gs.group_id')
        .select(sql<string[]>`array_agg(g.name order by g.name)`.as('g'))
        .whereRef('gs.student_id', '=', 'u.id')
        .as('groups'),
    ])
    .orderBy('u.full_name')
    .orderBy('u.id')
    .limit(peoplePageSize + 1)
    .execute();
  const more = rows.length > peoplePageSize;
  const people: PersonRow[] = rows.slice(0, peoplePageSize).map((row) => ({
    id: row.id,
    fullName: row.full_name,
    email: row.email,
    externalId: row.external_id,
    disabled: row.disabled_at !== null,
    hasPassword: row.has_password,
    roles: row.roles ?? [],
    groups: row.groups ?? [],
  }));
  const last = people.at(-1);
  return { people, total: Number(total.n), next: more && last ? { name: last.fullName, id: last.id } : null };
}

/** The choices the people pages offer: faculties, departments, groups (not archived). */
export async function peoplePickers(db: Db, locale: Locale = 'ky') {
  const [faculties, departments, groups] = await Promise.all([
    db
      .selectFrom('faculty')
      .select(['id', 'code', 'name', 'name_ru', 'name_en'])
      .where('archived_at', 'is', null)
      .orderBy('code')
      .execute(),
    db
      .selectFrom('department')
      .select(['id', 'code', 'name', 'name_ru', 'name_en', 'faculty_id'])
      .where('archived_at', 'is', null)
      .orderBy('code')
      .execute(),
    db.selectFrom('study_group').select(['id', 'name']).where('archived_at', 'is', null).orderBy('name').execute(),
  ]);
  return {
    faculties: faculties.map((f) => ({ id: f.id, label: `${f.code} · ${localName(f, locale)}` })),
    departments: departments.map((d) => ({ id: d.id, label: `${d.code} · ${localName(d, locale)}` })),
    groups: groups.map((g) => ({ id: g.id, label: g.name })),
  };
}

export type PeoplePickers = Awaited<ReturnType<typeof peoplePickers>>;
