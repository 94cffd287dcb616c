// Foundation: university structure, people, terms, cabinets with plan slots, items, files,
// uploads in flight, sessions, login throttling and the audit log. Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  const id = sql`uuid primary key default gen_random_uuid()`;
  const now = sql`timestamptz not null default now()`;

  await sql`
    create table faculty (
      id ${id},
      name text not null,
      kind text not null check (kind in ('faculty', 'college')),
      created_at ${now}
    );
    create table department (
      id ${id},
      faculty_id uuid not null references faculty (id),
      name text not null,
      kind text not null default 'department' check (kind in ('department', 'commission')),
      slot_policy jsonb,
      created_at ${now}
    );
    create index department_faculty_idx on department (faculty_id);

    create table app_user (
      id ${id},
      email text not null unique check (email = lower(email)),
      password_hash text not null,
      full_name text not null,
      role text not null check (role in ('admin', 'vice_rector', 'dean', 'head', 'instructor', 'student')),
      locale text not null default 'ky' check (locale in ('ky', 'ru', 'en')),
      faculty_id uuid references faculty (id),
      department_id uuid references department (id),
      created_at ${now},
      disabled_at timestamptz,
      check (role <> 'dean' or faculty_id is not null),
      check (role not in ('head', 'instructor') or department_id is not null)
    );

    create table subject (
      id ${id},
      department_id uuid not null references department (id),
      code text not null unique,
      name text not null,
      credits integer not null check (credits >= 0),
      lecture_hours integer not null check (lecture_hours >= 0),
      practical_hours integer not null check (practical_hours >= 0)
    );

    create table term (
      id ${id},
      academic_year text not null,
      semester integer not null check (semester in (1, 2)),
      starts_on date not null,
      weeks integer not null check (weeks between 1 and 30),
      time_zone text not null default 'Asia/Bishkek',
      unique (academic_year, semester)
    );

    create table study_group (
      id ${id},
      faculty_id uuid not null references faculty (id),
      name text not null unique,
      study_form text not null check (study_form in ('full_time', 'correspondence', 'distance'))
    );
    create table group_student (
      group_id uuid not null references study_group (id),
      student_id uuid not null references app_user (id),
      primary key (group_id, student_id)
    );
    create index group_student_student_idx on group_student (student_id);

    create table teaching_assignment (
      id ${id},
      term_id uuid not null references term (id),
      instructor_id uuid not null references app_user (id),
      subject_id uuid not null references subject (id),
      unique (term_id, instructor_id, subject_id)
    );
    create table teaching_assignment_group (
      teaching_assignment_id uuid not null references teaching_assignment (id),
      group_id uuid not null references study_group (id),
      primary key (teaching_assignment_id, group_id)
    );
    create index teaching_assignment_group_group_idx on teaching_assignment_group (group_id);

    create table cabinet (
      id ${id},
      teaching_assignment_id uuid not null unique references teaching_assignment (id),
      created_at ${now}
    );

    create table slot (
      id ${id},
      cabinet_id uuid not null references cabinet (id),
      kind text not null check (kind in ('lecture_video', 'practical_material', 'interim_assessment')),
      number integer not null check (number >= 1),
      week integer not null check (week >= 1),
      due_at timestamptz not null,
      title text,
      unique (cabinet_id, kind, number)
    );
    create index slot_cabinet_week_idx on slot (cabinet_id, week);

    create table item (
      id ${id},
      cabinet_id uuid not null references cabinet (id),
      slot_id uuid unique references slot (id),
      title text not null check (length(title) between 1 and 200),
      description text not null default '' check (length(description) <= 5000),
      status text not null default 'draft' check (status in ('draft', 'published')),
      published_at timestamptz,
      created_by uuid not null references app_user (id),
      -- A key the form sends once per render: a double submit or a re-sent POST creates one item.
      request_key text,
      created_at ${now},
      updated_at ${now},
      check ((status = 'published') = (published_at is not null)),
      unique (cabinet_id, request_key)
    );
    create index item_cabinet_idx on item (cabinet_id);

    create table media_file (
      id ${id},
      item_id uuid not null references item (id),
      upload_id text not null unique,
      storage_key text not null unique,
      original_name text not null,
      byte_size bigint not null check (byte_size > 0),
      sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
      content_type text not null,
      file_kind text not null check (file_kind in ('video', 'audio', 'document', 'image')),
      processing_state text not null check (processing_state in ('none', 'awaiting', 'processing', 'ready', 'failed')),
      created_by uuid not null references app_user (id),
      created_at ${now},
      deleted_at timestamptz
    );
    create index media_file_item_idx on media_file (item_id);

    create table upload (
      id text primary key check (id ~ '^[0-9a-f]{32}$'),
      user_id uuid not null references app_user (id),
      cabinet_id uuid not null references cabinet (id),
      slot_id uuid references slot (id),
      item_id uuid references item (id),
      file_name text not null,
      file_kind text not null check (file_kind in ('video', 'audio', 'document', 'image')),
      declared_size bigint not null check (declared_size > 0),
      created_at ${now},
      last_activity_at ${now},
      finished_at timestamptz,
      check (slot_id is null or item_id is null)
    );
    create index upload_unfinished_idx on upload (last_activity_at) where finished_at is null;

    create table session (
      token_hash text primary key,
      user_id uuid not null references app_user (id),
      created_at ${now},
      last_seen_at ${now},
      expires_at timestamptz not null,
      revoked_at timestamptz,
      ip text,
      user_agent text
    );
    create index session_user_idx on session (user_id);

    create table login_throttle (
      key text primary key,
      failures integer not null,
      blocked_until timestamptz not null
    );

    create table audit_event (
      id bigint generated always as identity primary key,
      at ${now},
      actor_id uuid references app_user (id),
      action text not null,
      object_type text not null,
      object_id text not null,
      ip text,
      data jsonb not null default '{}'
    );
    create index audit_event_object_idx on audit_event (object_type, object_id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table audit_event, login_throttle, session, upload, media_file, item, slot, cabinet,
      teaching_assignment_group, teaching_assignment, group_student, study_group, term, subject,
      app_user, department, faculty;
  `.execute(db);
}
