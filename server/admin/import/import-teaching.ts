// Applies the teaching kind of an import: a term's teaching assignments (instructor × subject) with
// their groups. A change of groups re-scopes the cabinet and keeps everything delivered in it; in
// sync mode, the term's assignments the file no longer lists end (their cabinets stay in reports).
import { sql } from 'kysely';
import { flag, flagDuplicates, type ApplyContext, type Written } from './import-flags.ts';
import { tableOf } from './import-load.ts';
import { resolvePeople } from './import-people.ts';
import { ImportProblem } from './import-problem.ts';

const count = (result: { numAffectedRows?: bigint }) => Number(result.numAffectedRows ?? 0);
const groupsTable = sql.table('import_teaching_groups');

async function resolveReferences(ctx: ApplyContext): Promise<void> {
  const t = tableOf('teaching');
  await sql`alter table ${t} add column term_id uuid, add column subject_id uuid, add column ta_id uuid`.execute(
    ctx.trx,
  );
  await sql`update ${t} t set term_id = x.id from term x where x.code = t.term_code`.execute(ctx.trx);
  await sql`update ${t} t set subject_id = s.id from subject s where s.code = t.subject_code`.execute(ctx.trx);
  const termCode = sql`json_build_object('code', t.term_code)`;
  await flag(ctx, 'teaching', 'term_code', 'unknown_code', sql`t.term_id is null`, termCode);
  await flag(
    ctx,
    'teaching',
    'term_code',
    'archived_code',
    sql`exists (select 1 from term x where x.id = t.term_id and x.archived_at is not null)`,
    termCode,
  );
  if (ctx.options.termCode) {
    await flag(
      ctx,
      'teaching',
      'term_code',
      'other_term',
      sql`t.term_code <> ${ctx.options.termCode}`,
      sql`json_build_object('code', t.term_code, 'term', ${ctx.options.termCode}::text)`,
    );
  }
  const subjectCode = sql`json_build_object('code', t.subject_code)`;
  await flag(ctx, 'teaching', 'subject_code', 'unknown_code', sql`t.subject_id is null`, subjectCode);
  await flag(
    ctx,
    'teaching',
    'subject_code',
    'archived_code',
    sql`exists (select 1 from subject s where s.id = t.subject_id and s.archived_at is not null)`,
    subjectCode,
  );
  await resolvePeople(ctx, 'teaching');
  await flag(
    ctx,
    'teaching',
    'person',
    'not_instructor',
    sql`not exists (select 1 from role_assignment ra where ra.user_id = t.user_id and ra.role = 'instructor' and ra.ended_at is null)`,
    sql`json_build_object('person', t.person)`,
  );
}

/** One row per (teaching row, group code), with the group it names. */
async function resolveGroups(ctx: ApplyContext): Promise<void> {
  const t = tableOf('teaching');
  await sql`
    create temp table ${groupsTable} on commit drop as
    select t.row_no, c.code, g.id as group_id, g.archived_at is not null as archived
    from ${t} t cross join lateral unnest(string_to_array(t.group_codes, ' ')) as c (code)
    left join study_group g on g.name = c.code`.execute(ctx.trx);
  // The checks below look up each teaching row's groups.
  await sql`create index on ${groupsTable} (row_no)`.execute(ctx.trx);
  await sql`analyze ${groupsTable}`.execute(ctx.trx);
  const firstCode = (condition: string) =>
    sql`json_build_object('code', (select min(x.code) from ${groupsTable} x where x.row_no = t.row_no and ${sql.raw(condition)}))`;
  await flag(
    ctx,
    'teaching',
    'group_codes',
    'unknown_code',
    sql`exists (select 1 from ${groupsTable} x where x.row_no = t.row_no and x.group_id is null)`,
    firstCode('x.group_id is null'),
  );
  await flag(
    ctx,
    'teaching',
    'group_codes',
    'archived_code',
    sql`exists (select 1 from ${groupsTable} x where x.row_no = t.row_no and x.archived)`,
    firstCode('x.archived'),
  );
  // A teacher of a group is not also a student in it.
  const studies = sql`select x.code from ${groupsTable} x join group_student gs on gs.group_id = x.group_id and gs.student_id = t.user_id where x.row_no = t.row_no`;
  await flag(
    ctx,
    'teaching',
    'person',
    'teaches_own_group',
    sql`exists (${studies})`,
    sql`json_build_object('code', (${studies} limit 1))`,
  );
}

/** The term sync mode ends teaching in: the one asked for, else the only one the file names. */
async function syncTermId(ctx: ApplyContext): Promise<string> {
  const t = tableOf('teaching');
  const terms = await sql<{ term_id: string }>`select distinct term_id from ${t} where ok`.execute(ctx.trx);
  if (ctx.options.termCode) {
    const row = await sql<{ id: string }>`select id from term where code = ${ctx.options.termCode}`.execute(ctx.trx);
    if (!row.rows[0]) throw new ImportProblem('unknown_term', { code: ctx.options.termCode });
    return row.rows[0].id;
  }
  if (terms.rows.length !== 1) throw new ImportProblem('sync_needs_term');
  return terms.rows[0]!.term_id;
}

export async function applyTeaching(ctx: ApplyContext): Promise<Written> {
  const t = tableOf('teaching');
  await resolveReferences(ctx);
  await resolveGroups(ctx);
  await flagDuplicates(ctx, 'teaching', ['term_id', 'user_id', 'subject_id'], 'subject_code');
  const match = sql`ta.term_id = t.term_id and ta.instructor_id = t.user_id and ta.subject_id = t.subject_id`;
  // Every row, ok or not: sync mode keeps what a row with a mistake still names.
  await sql`update ${t} t set ta_id = ta.id from teaching_assignment ta where ${match}`.execute(ctx.trx);
  const created = await sql`
    insert into teaching_assignment (term_id, instructor_id, subject_id)
    select t.term_id, t.user_id, t.subject_id from ${t} t where t.ok and t.ta_id is null`.execute(ctx.trx);
  await sql`create temp table import_teaching_new on commit drop as select row_no from ${t} where ok and ta_id is null`.execute(
    ctx.trx,
  );
  await sql`update ${t} t set ta_id = ta.id from teaching_assignment ta where t.ok and t.ta_id is null and ${match}`.execute(
    ctx.trx,
  );
  // What changed on assignments that were there: ended and listed again, a group added, a group removed.
  const changed = await sql<{ id: string }>`
    with reopened as (
      update teaching_assignment ta set ended_at = null from ${t} t where t.ok and ta.id = t.ta_id and ta.ended_at is not null returning ta.id
    ),
    added as (
      insert into teaching_assignment_group (teaching_assignment_id, group_id)
      select distinct t.ta_id, x.group_id from ${t} t join ${groupsTable} x on x.row_no = t.row_no
      where t.ok and not exists (select 1 from teaching_assignment_group tag where tag.teaching_assignment_id = t.ta_id and tag.group_id = x.group_id)
      returning teaching_assignment_id as id
    ),
    removed as (
      delete from teaching_assignment_group tag using ${t} t
      where t.ok and tag.teaching_assignment_id = t.ta_id
        and not exists (select 1 from ${groupsTable} x where x.row_no = t.row_no and x.group_id = tag.group_id)
      returning tag.teaching_assignment_id as id
    )
    select distinct c.id from (select id from reopened union all select id from added union all select id from removed) c
    join ${t} t on t.ta_id = c.id
    where t.row_no not in (select row_no from import_teaching_new)`.execute(ctx.trx);
  let disabled = 0;
  if (ctx.options.sync) {
    const termId = await syncTermId(ctx);
    disabled = count(
      await sql`
        update teaching_assignment ta set ended_at = ${ctx.now}
        from app_user u
        where u.id = ta.instructor_id and u.external_id is not null and ta.term_id = ${termId} and ta.ended_at is null
          and not exists (select 1 from ${t} t where t.ta_id = ta.id)`.execute(ctx.trx),
    );
  }
  return { created: count(created), updated: changed.rows.length, disabled };
}
