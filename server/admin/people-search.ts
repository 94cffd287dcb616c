// The admin's view of people: the university's counts, the people search (name, e-mail or
// external id on a trigram index; filters; keyset pages by name) and one person's page.
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { AssignedRole, Locale } from '../../db/schema.ts';
import { requirePermission, type Principal } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
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

/** A page of people matching the filters, by name; `after` is the last row of the previous page. */
export async function searchPeople(
  db: Db,
  user: Principal,
  filters: PeopleFilters,
  after: { name: string; id: string } | null,
) {
  requirePermission(user, 'admin.manage', {});
  const q = filters.q.trim().toLowerCase().slice(0, 100);
  const facultyId = uuidOrNull(filters.facultyId);
  const departmentId = uuidOrNull(filters.departmentId);
  const groupId = uuidOrNull(filters.groupId);
  let query = db.selectFrom('app_user as u');
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
  if (filters.state === 'active') query = query.where('u.disabled_at', 'is', null);
  if (filters.state === 'disabled') query = query.where('u.disabled_at', 'is not', null);
  if (filters.state === 'no_password') query = query.where('u.password_hash', 'is', null);
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

export async function personPage(db: Db, user: Principal, personId: string) {
  requirePermission(user, 'admin.manage', {});
  if (!isUuid(personId)) throw new AppError('not_found');
  const person = await db.selectFrom('app_user').selectAll().where('id', '=', personId).executeTakeFirst();
  if (!person) throw new AppError('not_found');
  const [roles, groups, endedGroups, sessions, identities] = await Promise.all([
    db
      .selectFrom('role_assignment as ra')
      .leftJoin('faculty as f', 'f.id', 'ra.faculty_id')
      .leftJoin('department as d', 'd.id', 'ra.department_id')
      .select([
        'ra.id',
        'ra.role',
        'ra.created_at',
        'ra.ended_at',
        'f.code as facultyCode',
        'f.name as facultyName',
        'd.code as departmentCode',
        'd.name as departmentName',
      ])
      .where('ra.user_id', '=', personId)
      .orderBy('ra.ended_at', (ob) => ob.desc().nullsFirst())
      .orderBy('ra.created_at')
      .execute(),
    db
      .selectFrom('group_student as gs')
      .innerJoin('study_group as g', 'g.id', 'gs.group_id')
      .select(['g.id', 'g.name', 'gs.created_at'])
      .where('gs.student_id', '=', personId)
      .orderBy('g.name')
      .execute(),
    db
      .selectFrom('group_student_ended as e')
      .innerJoin('study_group as g', 'g.id', 'e.group_id')
      .select(['g.name', 'e.started_at', 'e.ended_at'])
      .where('e.student_id', '=', personId)
      .orderBy('e.ended_at', 'desc')
      .limit(20)
      .execute(),
    db
      .selectFrom('session')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', personId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', new Date())
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('external_identity')
      .select(['issuer', 'subject', 'created_at', 'last_used_at'])
      .where('user_id', '=', personId)
      .orderBy('created_at')
      .execute(),
  ]);
  return {
    person: {
      id: person.id,
      fullName: person.full_name,
      email: person.email,
      externalId: person.external_id,
      language: person.locale,
      disabled: person.disabled_at !== null,
      hasPassword: person.password_hash !== null,
      createdAt: person.created_at.toISOString(),
    },
    roles: roles.map((r) => ({
      id: r.id,
      role: r.role,
      scope: r.departmentCode
        ? `${r.departmentCode} · ${r.departmentName}`
        : r.facultyCode
          ? `${r.facultyCode} · ${r.facultyName}`
          : null,
      since: r.created_at.toISOString(),
      endedAt: r.ended_at?.toISOString() ?? null,
    })),
    groups: groups.map((g) => ({ id: g.id, name: g.name, since: g.created_at.toISOString() })),
    endedGroups: endedGroups.map((g) => ({
      name: g.name,
      startedAt: g.started_at.toISOString(),
      endedAt: g.ended_at.toISOString(),
    })),
    activeSessions: Number(sessions.n),
    /** The person's accounts at the single sign-on provider. */
    identities: identities.map((i) => ({
      issuer: i.issuer,
      subject: i.subject,
      since: i.created_at.toISOString(),
      lastUsed: i.last_used_at.toISOString(),
    })),
  };
}
