// Online tests: a test on an item (like an assignment), the students' attempts with the questions
// drawn for each (frozen, so a later bank edit changes no attempt), the answers saved as they are
// given, and an optional picture per bank question. Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table quiz (
      id uuid primary key default gen_random_uuid(),
      item_id uuid not null unique references item (id),
      instructions text not null default '',
      opens_at timestamptz,
      closes_at timestamptz not null,
      -- null: no limit but the window.
      time_limit_minutes integer check (time_limit_minutes between 1 and 600),
      attempts_allowed integer not null check (attempts_allowed between 1 and 20),
      shuffle_questions boolean not null,
      shuffle_answers boolean not null,
      -- Questions drawn at random from the bank for each attempt; null: every question.
      draw_count integer check (draw_count between 1 and 500),
      -- When a student sees the correct answers: after their attempt, after the test closes, never.
      review_policy text not null check (review_policy in ('after_attempt', 'after_close', 'never')),
      max_score numeric(6, 2) not null check (max_score > 0),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (opens_at is null or opens_at < closes_at)
    );

    create table quiz_attempt (
      id uuid primary key default gen_random_uuid(),
      quiz_id uuid not null references quiz (id),
      student_id uuid not null references app_user (id),
      number integer not null check (number > 0),
      started_at timestamptz not null default now(),
      -- Answers are taken until then (the time limit, or the test's close, whichever is first).
      deadline_at timestamptz not null,
      finished_at timestamptz,
      -- The questions as drawn, shuffled and shown in this attempt, with their answers (never sent
      -- to the student before review).
      questions jsonb not null,
      score numeric(6, 2) check (score >= 0),
      -- The instructor's score replaces the automatic one.
      override_score numeric(6, 2) check (override_score >= 0),
      override_by uuid references app_user (id),
      unique (quiz_id, student_id, number),
      check (finished_at is null or score is not null)
    );
    -- One attempt in progress per student and test (a double click starts one).
    create unique index quiz_attempt_open_idx on quiz_attempt (quiz_id, student_id) where finished_at is null;
    create index quiz_attempt_deadline_idx on quiz_attempt (deadline_at) where finished_at is null;

    create table quiz_answer (
      attempt_id uuid not null references quiz_attempt (id),
      position integer not null check (position >= 0),
      answer jsonb not null,
      saved_at timestamptz not null default now(),
      -- 0…1, set when the attempt is graded.
      credit numeric(5, 4) check (credit between 0 and 1),
      primary key (attempt_id, position)
    );

    alter table question add column image_key text, add column image_type text;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table question drop column image_key, drop column image_type;
    drop table quiz_answer;
    drop table quiz_attempt;
    drop table quiz;
  `.execute(db);
}
