// `npm run bench:notices`: what telling students costs, on the `seed:scale` university (40,000
// students, 12,000 cabinets) in an embedded PostgreSQL of its own, with every student already
// holding notices of a term's publishing (a quarter of the published items told: ~100 each). Ratios in the same run (medians):
// - a publish that tells the cabinet's students ÷ the same publish without (rolled back, alternated);
// - the header's unread count ÷ the session lookup every request already makes;
// - the deadline pass over the whole university ÷ `select count(*) from item`.
// Prints a JSON line last.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createDb, type Db } from '../db/client.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { SCALE, seedScale } from '../db/seed-scale.ts';
import { createSession, findSessionUser } from '../server/auth/sessions.ts';
import { tellDeadlines, tellPublished, unreadCount } from '../server/notices/notices.ts';
import { freePort } from '../tests/helpers/free-port.ts';
import { median } from './processes.ts';
import { timed } from './scale-db.ts';
import { insertRunningTerm } from '../db/seed.ts';

/** Publishes `itemIds` one transaction each, telling their students or not, all rolled back; the median ms. */
async function publishEach(db: Db, itemIds: string[], tell: boolean): Promise<number> {
  const times: number[] = [];
  for (const itemId of itemIds) {
    await db
      .transaction()
      .execute(async (trx) => {
        const begun = performance.now();
        await trx
          .updateTable('item')
          .set({ status: 'published', published_at: new Date(), updated_at: new Date() })
          .where('id', '=', itemId)
          .execute();
        if (tell) await tellPublished(trx, itemId);
        times.push(performance.now() - begun);
        throw new Error('rollback');
      })
      .catch((error: unknown) => {
        if ((error as Error).message !== 'rollback') throw error;
      });
  }
  return median(times);
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-bench-notices-'));
  const cluster = await startEmbeddedPostgres({ dir, port: await freePort(), persistent: false });
  const admin = createDb(cluster.url('postgres'), { max: 1 });
  await sql`create database bench`.execute(admin);
  const db = createDb(cluster.url('bench'), { max: 4 });
  try {
    await migrateToLatest(db);
    const term = { id: await insertRunningTerm(db) };
    const seeded = await seedScale(db, { termId: term.id, part: 1 });
    // A term's notices already there: every published item told to its cabinet's students.
    const told = performance.now();
    await sql`
      insert into notification (user_id, kind, data, about, mailed_at, read_at)
      select gs.student_id, 'published', jsonb_build_object('itemId', i.id, 'title', i.title), 'published:' || i.id,
        now(), case when random() < 0.8 then now() end
      from item i
      join cabinet c on c.id = i.cabinet_id
      join teaching_assignment_group tag on tag.teaching_assignment_id = c.teaching_assignment_id
      join group_student gs on gs.group_id = tag.group_id
      where i.status = 'published' and hashtext(i.id::text) % 4 = 0
      on conflict do nothing`.execute(db);
    const counts = await sql<{ notices: string; items: string }>`
      select (select count(*) from notification) as notices, (select count(*) from item) as items`.execute(db);
    process.stderr.write(
      `seed:scale in ${seeded.seconds.toFixed(0)} s; ${counts.rows[0]!.notices} notices in ${((performance.now() - told) / 1000).toFixed(0)} s\n`,
    );
    // Something due within the day for the deadline pass: 300 published items become assignments due in 12 hours.
    const due = await sql`
      insert into assignment (item_id, due_at, late_policy, max_score, allowed_extensions, max_files, max_file_bytes)
      select i.id, now() + interval '12 hours', 'accept_late', 10, '{pdf}', 1, 1048576
      from item i where i.status = 'published' and i.removed_at is null
      order by i.id limit 300`.execute(db);
    await sql`vacuum (analyze)`.execute(db);
    await sql`checkpoint`.execute(db);

    // Drafts to publish: items of cabinets with students, not yet published.
    const drafts = await sql<{ id: string }>`
      select i.id from item i join cabinet c on c.id = i.cabinet_id
      where i.status = 'draft' and exists (select 1 from teaching_assignment_group tag
        join group_student gs on gs.group_id = tag.group_id where tag.teaching_assignment_id = c.teaching_assignment_id)
      order by i.id limit 200`.execute(db);
    const ids = drafts.rows.map((row) => row.id);
    if (ids.length < 50) throw new Error(`only ${ids.length} draft items to publish`);
    const withNotices: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < 5; i++) {
      withNotices.push(await publishEach(db, ids, true));
      without.push(await publishEach(db, ids, false));
    }
    const publishTold = median(withNotices);
    const publishPlain = median(without);

    const student = await db
      .selectFrom('notification')
      .select(['user_id', sql<number>`count(*)::int`.as('n')])
      .groupBy('user_id')
      .orderBy('n', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    const token = await createSession(db, { userId: student.user_id, ttlMs: 3600_000, ip: null, userAgent: 'bench' });
    const session = await timed(() => findSessionUser(db, token));
    const unread = await timed(() => unreadCount(db, student.user_id));
    const count = await timed(() => sql`select count(*) from item`.execute(db));
    let toldDeadlines = 0;
    const deadlines = await timed(() =>
      db
        .transaction()
        .execute(async (trx) => {
          toldDeadlines = await tellDeadlines(trx);
          throw new Error('rollback');
        })
        .catch((error: unknown) => {
          if ((error as Error).message !== 'rollback') throw error;
        }),
    );
    process.stderr.write(
      `publish of one item: ${publishTold.toFixed(2)} ms telling its students, ${publishPlain.toFixed(2)} ms without\n` +
        `unread count ${unread.toFixed(2)} ms (the busiest student, ${student.n} notices) against the session lookup ${session.toFixed(2)} ms\n` +
        `deadline pass ${deadlines.toFixed(1)} ms (${Number(due.numAffectedRows)} assignments due, ${toldDeadlines} students told) against count(*) ${count.toFixed(1)} ms\n`,
    );
    console.log(
      JSON.stringify({
        bench: 'notices',
        publish_told_x_plain: Number((publishTold / publishPlain).toFixed(3)),
        unread_x_session: Number((unread / session).toFixed(3)),
        deadlines_x_count: Number((deadlines / count).toFixed(3)),
        students: SCALE.students,
        cabinets: SCALE.cabinets,
        notices: Number(counts.rows[0]!.notices),
        busiest_student_notices: student.n,
        publish_told_ms: Number(publishTold.toFixed(2)),
        publish_plain_ms: Number(publishPlain.toFixed(2)),
        unread_ms: Number(unread.toFixed(2)),
        session_ms: Number(session.toFixed(2)),
        deadlines_ms: Number(deadlines.toFixed(1)),
        deadlines_told: toldDeadlines,
        count_ms: Number(count.toFixed(1)),
      }),
    );
  } finally {
    await db.destroy();
    await admin.destroy();
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
