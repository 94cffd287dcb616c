// A cabinet's question bank (for online tests): one row per question, its answers in `data` by kind
// (see server/quizzes/question-formats.ts). Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table question (
      id uuid primary key default gen_random_uuid(),
      cabinet_id uuid not null references cabinet (id),
      kind text not null check (kind in ('single', 'multiple', 'true_false', 'short', 'numeric', 'matching')),
      title text not null,
      stem text not null,
      data jsonb not null,
      created_by uuid not null references app_user (id),
      created_at timestamptz not null default now(),
      -- The order questions were imported or written in.
      seq bigint generated always as identity
    );
    create index question_cabinet_idx on question (cabinet_id);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table question`.execute(db);
}
