// Administration: people hold role assignments (role × scope) instead of one role; the registrar's
// codes and the names in three languages on the structure; archiving instead of deleting; ended
// memberships and teaching kept; sign-in links; import runs; indexes for finding people and audit
// events. Every current user keeps exactly the access it had. Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create extension if not exists pg_trgm;

    -- A person's roles: admin and vice-rector for the university, dean for a faculty or college,
    -- head and instructor for a department or subject commission. Students are students through
    -- their group memberships. An ended assignment stays as history.
    create table role_assignment (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references app_user (id),
      role text not null check (role in ('admin', 'vice_rector', 'dean', 'head', 'instructor')),
      faculty_id uuid references faculty (id),
      department_id uuid references department (id),
      created_at timestamptz not null default now(),
      ended_at timestamptz,
      check (
        (role in ('admin', 'vice_rector') and faculty_id is null and department_id is null)
        or (role = 'dean' and faculty_id is not null and department_id is null)
        or (role in ('head', 'instructor') and faculty_id is null and department_id is not null)
      )
    );
    create unique index role_assignment_active_idx on role_assignment
      (user_id, role, coalesce(faculty_id, department_id, '00000000-0000-0000-0000-000000000000'))
      where ended_at is null;
    create index role_assignment_department_idx on role_assignment (department_id) where ended_at is null;
    create index role_assignment_faculty_idx on role_assignment (faculty_id) where ended_at is null;
    create index role_assignment_role_idx on role_assignment (role) where ended_at is null;

    insert into role_assignment (user_id, role, faculty_id, department_id, created_at)
      select id, role,
        case when role = 'dean' then faculty_id end,
        case when role in ('head', 'instructor') then department_id end,
        created_at
      from app_user where role <> 'student';
    alter table app_user drop column role, drop column faculty_id, drop column department_id;

    -- People from the registrar carry its id; a person without a password signs in through a
    -- one-time link first. "search" is what the admin's people search matches (trigram index).
    alter table app_user
      alter column password_hash drop not null,
      add column external_id text unique check (length(external_id) between 1 and 64 and external_id = btrim(external_id)),
      add column updated_at timestamptz not null default now(),
      add constraint app_user_full_name_length check (length(full_name) between 1 and 200) not valid,
      add constraint app_user_email_length check (length(email) between 3 and 254) not valid,
      add column search text generated always as (lower(full_name || ' ' || email || ' ' || coalesce(external_id, ''))) stored;
    create index app_user_search_idx on app_user using gin (search gin_trgm_ops);
    create index app_user_full_name_idx on app_user (full_name, id);

    -- The registrar's codes (the keys of imports), names in Russian and English beside the Kyrgyz
    -- "name", and archiving. Existing rows get codes in their order of creation.
    alter table faculty add column code text, add column name_ru text, add column name_en text, add column archived_at timestamptz;
    update faculty f set code = 'F' || x.n from (select id, row_number() over (order by created_at, id) as n from faculty) x where x.id = f.id;
    alter table faculty alter column code set not null, add constraint faculty_code_key unique (code),
      add constraint faculty_code_shape check (code ~ '^[^\\s,;]{1,64}$');

    alter table department add column code text, add column name_ru text, add column name_en text, add column archived_at timestamptz;
    update department d set code = 'D' || x.n from (select id, row_number() over (order by created_at, id) as n from department) x where x.id = d.id;
    alter table department alter column code set not null, add constraint department_code_key unique (code),
      add constraint department_code_shape check (code ~ '^[^\\s,;]{1,64}$');

    alter table subject add column name_ru text, add column name_en text, add column archived_at timestamptz,
      add constraint subject_code_shape check (code ~ '^[^\\s,;]{1,64}$') not valid;

    alter table term add column code text, add column archived_at timestamptz;
    update term set code = academic_year || '-' || semester;
    alter table term alter column code set not null, add constraint term_code_key unique (code),
      add constraint term_code_shape check (code ~ '^[^\\s,;]{1,64}$');
    -- The current term is never an archived one (new columns come last, as "create or replace" needs).
    create or replace view current_term as
      select * from term where archived_at is null and starts_on <= current_date + 30 order by starts_on desc limit 1;

    -- A group's "name" is the registrar's group code.
    alter table study_group add column intake_year integer check (intake_year between 1900 and 2200), add column archived_at timestamptz,
      add constraint study_group_code_shape check (name ~ '^[^\\s,;]{1,64}$') not valid;

    -- Memberships that ended (a student moved or left) are kept here; group_student holds the current ones.
    alter table group_student add column created_at timestamptz not null default now();
    create table group_student_ended (
      group_id uuid not null references study_group (id),
      student_id uuid not null references app_user (id),
      started_at timestamptz not null,
      ended_at timestamptz not null default now(),
      ended_by uuid references app_user (id)
    );
    create index group_student_ended_student_idx on group_student_ended (student_id);

    -- A teaching assignment the registrar no longer lists ends; its cabinet stays in reports and history.
    alter table teaching_assignment add column created_at timestamptz not null default now(), add column ended_at timestamptz;
    create index teaching_assignment_term_idx on teaching_assignment (term_id, instructor_id);

    -- One-time sign-in links: only the token's hash is stored.
    create table sign_in_link (
      token_hash text primary key,
      user_id uuid not null references app_user (id),
      created_by uuid references app_user (id),
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz
    );
    create index sign_in_link_user_idx on sign_in_link (user_id);

    -- Imports of the registrar's files: the stored file, what was asked, where it stands, and the report.
    create table import_run (
      id uuid primary key default gen_random_uuid(),
      created_by uuid not null references app_user (id),
      created_at timestamptz not null default now(),
      file_name text not null check (length(file_name) between 1 and 255),
      storage_key text not null,
      byte_size bigint not null check (byte_size > 0),
      term_code text,
      sync boolean not null default false,
      state text not null check (state in ('previewing', 'previewed', 'applying', 'applied', 'failed')),
      apply_valid_only boolean not null default false,
      progress jsonb not null default '{}',
      report jsonb,
      failure_key text,
      updated_at timestamptz not null default now()
    );
    create index import_run_created_idx on import_run (created_at desc);

    -- The audit log viewer filters by person, action and date, newest first.
    create index audit_event_at_idx on audit_event (at desc, id desc);
    create index audit_event_actor_idx on audit_event (actor_id, at desc);
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('2026-11-29T1000-administration cannot be undone (restore a backup).');
}
