// `npm run bench:report`: the reports on the `seed:scale` university, in an embedded PostgreSQL of
// its own. Ratios in the same run (medians of several runs):
// - university roll-up ÷ `select count(*) from item`;
// - one department's report ÷ the same count;
// - university roll-up with twice the data ÷ with the data once (a copy of the database with a
//   second part added, the two timed alternately);
// - item inserts with summary upkeep ÷ without (published items into empty plan slots; the upkeep in
//   the inserting transaction is marking the cabinets dirty, and the refresher's pass over them is
//   timed and printed beside it);
// - and the consistency check's mismatches (summaries against a recount).
// Prints a JSON line last.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createDb, type Db } from '../db/client.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { SCALE, seedScale } from '../db/seed-scale.ts';
import type { Principal } from '../server/auth/permissions.ts';
import { departmentReport, departmentPages } from '../server/reports/department-report.ts';
import { universityReport } from '../server/reports/rollups.ts';
import { checkSummaries } from '../server/reports/consistency.ts';
import { catchUp } from '../server/reports/summaries.ts';
import { freePort } from '../tests/helpers/free-port.ts';
import { median } from './processes.ts';
import { timed } from './scale-db.ts';
import { insertRunningTerm } from '../db/seed.ts';

/**
 * Inserts published items into `count` empty plan slots, rolled back; with the summaries' triggers
 * on or off. With them on, also times the refresher's pass over what they marked.
 */
async function insertItems(db: Db, count: number, upkeep: boolean): Promise<{ insert: number; refresh: number }> {
  const times = { insert: 0, refresh: 0 };
  await db
    .transaction()
    .execute(async (trx) => {
      if (!upkeep) await sql`alter table item disable trigger user`.execute(trx);
      const started = performance.now();
      await sql`
        insert into item (cabinet_id, slot_id, title, status, published_at, created_by)
        select s.cabinet_id, s.id, 'bench', 'published', s.due_at - interval '1 day', ta.instructor_id
        from slot s join cabinet c on c.id = s.cabinet_id join teaching_assignment ta on ta.id = c.teaching_assignment_id
        where s.kind <> 'lecture_video' and not exists (select 1 from item i where i.slot_id = s.id)
        order by s.id limit ${count}`.execute(trx);
      times.insert = performance.now() - started;
      if (upkeep) {
        const begun = performance.now();
        await catchUp(trx);
        times.refresh = performance.now() - begun;
      }
      throw new Error('rollback');
    })
    .catch((error: unknown) => {
      if ((error as Error).message !== 'rollback') throw error;
    });
  return times;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-bench-report-'));
  const cluster = await startEmbeddedPostgres({ dir, port: await freePort(), persistent: false });
  const admin = createDb(cluster.url('postgres'), { max: 1 });
  await sql`create database bench`.execute(admin);
  let db = createDb(cluster.url('bench'), { max: 4 });
  let doubled: Db | null = null;
  try {
    await migrateToLatest(db);
    const term = { id: await insertRunningTerm(db) };
    const seeded = await seedScale(db, { termId: term.id, part: 1 });
    const rows = await sql<{
      items: string;
      slots: string;
      watch: string;
    }>`select (select count(*) from item) as items, (select count(*) from slot) as slots, (select count(*) from watch_progress) as watch`.execute(
      db,
    );
    process.stderr.write(`seed:scale in ${seeded.seconds.toFixed(0)} s: ${JSON.stringify(rows.rows[0])}\n`);

    const principal: Principal = {
      id: '00000000-0000-0000-0000-000000000000',
      roles: [{ role: 'admin', facultyId: null, departmentId: null }],
      groupIds: [],
    };
    const department = (await db.selectFrom('department').select('id').orderBy('id').executeTakeFirstOrThrow()).id;
    // As a live database stands once autovacuum has passed (it would run at an unknown moment
    // otherwise), with the load's pages written out (a checkpoint during a measurement skews it).
    const settle = async (on: Db) => {
      await sql`vacuum (analyze)`.execute(on);
      await sql`checkpoint`.execute(on);
    };

    // Alternating, so that both share the machine's noise.
    const withUpkeep: number[] = [];
    const without: number[] = [];
    const refreshes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const kept = await insertItems(db, 5000, true);
      withUpkeep.push(kept.insert);
      refreshes.push(kept.refresh);
      without.push((await insertItems(db, 5000, false)).insert);
    }
    const upkeep = median(withUpkeep);
    const plain = median(without);
    const refresh = median(refreshes);
    process.stderr.write(
      `5,000 published items: ${upkeep.toFixed(0)} ms with summary upkeep, ${plain.toFixed(0)} ms without; the refresher's pass ${refresh.toFixed(0)} ms\n`,
    );

    const mismatches = (await checkSummaries(db, term.id)).length;

    // Twice the data beside it: a copy of the database with the second part added, so that the
    // university roll-up can be timed on both alternately.
    await db.destroy();
    await sql`create database bench_doubled template bench strategy file_copy`.execute(admin);
    db = createDb(cluster.url('bench'), { max: 4 });
    doubled = createDb(cluster.url('bench_doubled'), { max: 4 });
    await seedScale(doubled, { termId: term.id, part: 2 });
    await settle(db);
    await settle(doubled);

    const count = (on: Db) => () => sql`select count(*) from item`.execute(on);
    const once = {
      count: await timed(count(db)),
      department: await timed(() => departmentReport(db, principal, department)),
    };
    // The first read of a page version in a web process (after any change), which decodes it.
    const departmentFirst = await timed(() => {
      departmentPages.clear();
      return departmentReport(db, principal, department);
    });
    const universities: { once: number[]; twice: number[] } = { once: [], twice: [] };
    for (let i = 0; i < 5; i++) {
      universities.once.push(await timed(() => universityReport(db, principal)));
      universities.twice.push(await timed(() => universityReport(doubled!, principal)));
    }
    const university = median(universities.once);
    const universityDoubled = median(universities.twice);
    const countDoubled = await timed(count(doubled));
    process.stderr.write(
      `1×: count(*) ${once.count.toFixed(1)} ms, university ${university.toFixed(2)} ms, department ${once.department.toFixed(2)} ms (first read of a version ${departmentFirst.toFixed(2)} ms)\n` +
        `2×: count(*) ${countDoubled.toFixed(1)} ms, university ${universityDoubled.toFixed(2)} ms\n`,
    );

    console.log(
      JSON.stringify({
        bench: 'report',
        university_x_count: Number((university / once.count).toFixed(4)),
        department_x_count: Number((once.department / once.count).toFixed(4)),
        department_first_read_x_count: Number((departmentFirst / once.count).toFixed(4)),
        growth_2x: Number((universityDoubled / university).toFixed(3)),
        insert_ratio: Number((plain / upkeep).toFixed(3)),
        mismatches,
        cabinets: SCALE.cabinets,
        items: Number(rows.rows[0]!.items),
        slots: Number(rows.rows[0]!.slots),
        watch_progress: Number(rows.rows[0]!.watch),
        count_ms: Number(once.count.toFixed(1)),
        university_ms: Number(university.toFixed(2)),
        department_ms: Number(once.department.toFixed(2)),
        department_first_read_ms: Number(departmentFirst.toFixed(2)),
        count_2x_ms: Number(countDoubled.toFixed(1)),
        university_2x_ms: Number(universityDoubled.toFixed(2)),
        refresh_5000_ms: Number(refresh.toFixed(0)),
      }),
    );
  } finally {
    await db.destroy();
    await doubled?.destroy();
    await admin.destroy();
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
