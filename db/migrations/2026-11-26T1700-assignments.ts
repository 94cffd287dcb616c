// Assignments students answer with files: the assignment on an item, the students' submissions
// (every version kept), their files, and the grades. Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table assignment (
      id uuid primary key default gen_random_uuid(),
      item_id uuid not null unique references item (id),
      instructions text not null default '',
      opens_at timestamptz,
      due_at timestamptz not null,
      -- accept_late: taken after the due time and marked late; refuse: nothing after the due time.
      late_policy text not null check (late_policy in ('accept_late', 'refuse')),
      max_score numeric(6, 2) not null check (max_score > 0),
      -- File name extensions a student may send; empty: every document or image kind Kabinet takes.
      allowed_extensions text[] not null default '{}',
      max_files integer not null check (max_files between 1 and 20),
      max_file_bytes bigint not null check (max_file_bytes > 0),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (opens_at is null or opens_at < due_at)
    );

    create table submission (
      id uuid primary key default gen_random_uuid(),
      assignment_id uuid not null references assignment (id),
      student_id uuid not null references app_user (id),
      -- 1, 2, …: every submission is kept; the highest counts.
      version integer not null check (version > 0),
      text text not null default '',
      submitted_at timestamptz not null default now(),
      late boolean not null,
      unique (assignment_id, student_id, version)
    );

    -- A student's files: a draft (no submission yet) until they press "Submit".
    create table submission_file (
      id uuid primary key default gen_random_uuid(),
      assignment_id uuid not null references assignment (id),
      student_id uuid not null references app_user (id),
      submission_id uuid references submission (id),
      upload_id text not null unique,
      storage_key text not null unique,
      original_name text not null,
      byte_size bigint not null check (byte_size > 0),
      sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
      content_type text not null,
      created_at timestamptz not null default now()
    );
    create index submission_file_student_idx on submission_file (assignment_id, student_id);

    create table grade (
      assignment_id uuid not null references assignment (id),
      student_id uuid not null references app_user (id),
      score numeric(6, 2) not null check (score >= 0),
      feedback text not null default '',
      graded_by uuid not null references app_user (id),
      graded_at timestamptz not null default now(),
      primary key (assignment_id, student_id)
    );

    -- An upload goes into a slot, an item, or (a student's) an assignment.
    alter table upload add column assignment_id uuid references assignment (id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table upload drop column assignment_id;
    drop table grade;
    drop table submission_file;
    drop table submission;
    drop table assignment;
  `.execute(db);
}
