// The report engine leaves the migrations (decision 034): its functions, views and triggers now live
// in db/sql/*.sql, applied after the migrations whenever they change (db/repeatable.ts). This adds
// the table that tracks them, drops what the old engine made under names or signatures the new one
// does not use, and gives the summaries named fields (counts by kind and name, as JSON) instead of
// positional arrays. The summaries are emptied here and rebuilt when db/sql/report-refresh.sql is
// applied, right after. Frozen once landed.
import { sql, type Kysely } from 'kysely';

const oldDirtyTables = [
  'slot',
  'item',
  'media_file',
  'caption',
  'submission',
  'grade',
  'teaching_assignment_group',
  'group_student',
  'study_group',
  'teaching_assignment',
  'app_user',
  'subject',
  'term',
];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table repeatable_sql (
      name text primary key,
      hash text not null,
      -- The newest migration when it was applied: after another, every file is applied again.
      migration text not null,
      applied_at timestamptz not null default now()
    );

    -- One trigger function per table before; one function with the query as its argument now.
    ${sql.raw(oldDirtyTables.map((table) => `drop function report_dirty_${table}() cascade;`).join('\n    '))}
    drop function report_counts(slot_fact[], timestamptz);

    truncate slot_fact, cabinet_current, department_current, department_day;
    alter table cabinet_current alter column counts type jsonb using to_jsonb(counts);
    alter table department_current alter column counts type jsonb using to_jsonb(counts);
    insert into report_dirty (cabinet_id) select id from cabinet;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('2026-11-30T1000-report-engine-sql cannot be undone (restore a backup).');
}
