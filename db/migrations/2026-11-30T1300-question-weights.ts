// Questions weighed as Moodle weighs them (issue 19): a short answer is one of several answers,
// each with its percentage and feedback (`*` a wildcard), and a numeric answer has its percentage.
// The bank's questions and the attempts' copies of them are rewritten to the new shape: what was
// accepted is worth 100 %. Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function pg_temp.weighed(data jsonb) returns jsonb language sql immutable as $$
      select case data->>'kind'
        when 'short' then (data - 'accepted') || jsonb_build_object('answers', coalesce(
          (select jsonb_agg(jsonb_build_object('text', a, 'weight', 100) order by n)
           from jsonb_array_elements_text(data->'accepted') with ordinality e (a, n)), '[]'::jsonb))
        when 'numeric' then jsonb_set(data, '{answers}', coalesce(
          (select jsonb_agg(a || jsonb_build_object('weight', 100) order by n)
           from jsonb_array_elements(data->'answers') with ordinality e (a, n)), '[]'::jsonb))
        else data end
    $$;
    update question set data = pg_temp.weighed(data) where data->>'kind' in ('short', 'numeric');
    update quiz_attempt set questions = (
      select jsonb_agg(case when q->'data'->>'kind' in ('short', 'numeric')
        then jsonb_set(q, '{data}', pg_temp.weighed(q->'data')) else q end order by n)
      from jsonb_array_elements(questions) with ordinality e (q, n))
    where exists (select 1 from jsonb_array_elements(questions) q where q->'data'->>'kind' in ('short', 'numeric'));
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    create function pg_temp.unweighed(data jsonb) returns jsonb language sql immutable as $$
      select case data->>'kind'
        when 'short' then (data - 'answers') || jsonb_build_object('accepted', coalesce(
          (select jsonb_agg(a->'text' order by n) from jsonb_array_elements(data->'answers') with ordinality e (a, n)
           where (a->>'weight')::numeric >= 100), '[]'::jsonb))
        when 'numeric' then jsonb_set(data, '{answers}', coalesce(
          (select jsonb_agg(jsonb_build_object('value', a->'value', 'tolerance', a->'tolerance') order by n)
           from jsonb_array_elements(data->'answers') with ordinality e (a, n)
           where (a->>'weight')::numeric >= 100 and a->'value' <> 'null'::jsonb), '[]'::jsonb))
        else data end
    $$;
    update question set data = pg_temp.unweighed(data) where data->>'kind' in ('short', 'numeric');
    update quiz_attempt set questions = (
      select jsonb_agg(case when q->'data'->>'kind' in ('short', 'numeric')
        then jsonb_set(q, '{data}', pg_temp.unweighed(q->'data')) else q end order by n)
      from jsonb_array_elements(questions) with ordinality e (q, n))
    where exists (select 1 from jsonb_array_elements(questions) q where q->'data'->>'kind' in ('short', 'numeric'));
  `.execute(db);
}
