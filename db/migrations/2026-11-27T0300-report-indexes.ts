// The facts that start to count in a given week, found by index (the roll-ups' "as of" part).
// Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create index slot_fact_due_week_idx on slot_fact (term_id, due_week);
    create index slot_fact_delivered_week_idx on slot_fact (term_id, delivered_week);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index slot_fact_due_week_idx, slot_fact_delivered_week_idx`.execute(db);
}
