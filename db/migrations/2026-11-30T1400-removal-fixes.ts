// Two mends after review (issue 19). A slot a department's re-plan deletes may be the one a removed
// item remembers: the item then restores among the extras (the reference is cleared, not in the
// way). And a short answer stored as a lone `*` at 100 % came from the old importer, which took it
// literally (Moodle's `=%0%*` catch-all); read as the wildcard it is now, it would accept anything,
// so it is worth 0 % as Moodle meant. Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table item drop constraint item_removed_from_slot_id_fkey,
      add constraint item_removed_from_slot_id_fkey foreign key (removed_from_slot_id) references slot (id) on delete set null;
    create function pg_temp.catch_all_at_zero(data jsonb) returns jsonb language sql immutable as $$
      select jsonb_set(data, '{answers}', coalesce((
        select jsonb_agg(case when a->>'text' ~ '^\\*+$' then a || '{"weight": 0}'::jsonb else a end order by n)
        from jsonb_array_elements(data->'answers') with ordinality e (a, n)), '[]'::jsonb))
    $$;
    update question set data = pg_temp.catch_all_at_zero(data)
    where data->>'kind' = 'short' and exists (select 1 from jsonb_array_elements(data->'answers') a where a->>'text' ~ '^\\*+$');
    update quiz_attempt set questions = (
      select jsonb_agg(case when q->'data'->>'kind' = 'short' then jsonb_set(q, '{data}', pg_temp.catch_all_at_zero(q->'data')) else q end order by n)
      from jsonb_array_elements(questions) with ordinality e (q, n))
    where exists (select 1 from jsonb_array_elements(questions) q, jsonb_array_elements(q->'data'->'answers') a
      where q->'data'->>'kind' = 'short' and a->>'text' ~ '^\\*+$');
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table item drop constraint item_removed_from_slot_id_fkey,
      add constraint item_removed_from_slot_id_fkey foreign key (removed_from_slot_id) references slot (id);
  `.execute(db);
}
