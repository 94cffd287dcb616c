// The student-notices migration goes up and back down (a student's notices leave with it; a head's
// reminders stay) and up again.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { describe, expect, it } from 'vitest';
import { emptyDatabase } from '../../tests/helpers/test-db.ts';
import { migrations } from './index.ts';

const database = emptyDatabase();
const migrator = () => new Migrator({ db: database(), provider: { getMigrations: async () => migrations } });

describe('2026-11-30T1500-student-notices', () => {
  it('goes down keeping the reminders, and up again', async () => {
    const db = database();
    expect((await migrator().migrateTo('2026-11-30T1500-student-notices')).error).toBeUndefined();
    await db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`insert into notification (user_id, kind, data, created_by)
        values (${randomUUID()}, 'overdue_reminder', '{}', ${randomUUID()})`.execute(trx);
      await sql`insert into notification (user_id, kind, data, about)
        values (${randomUUID()}, 'published', '{}', 'published:x')`.execute(trx);
    });
    expect((await migrator().migrateTo('2026-11-30T1400-removal-fixes')).error).toBeUndefined();
    const kinds = await sql<{ kind: string }>`select kind from notification`.execute(db);
    expect(kinds.rows).toEqual([{ kind: 'overdue_reminder' }]);
    expect((await migrator().migrateTo('2026-11-30T1500-student-notices')).error).toBeUndefined();
    const columns = await sql<{ column_name: string }>`select column_name from information_schema.columns
      where table_name = 'app_user' and column_name = 'notify_email'`.execute(db);
    expect(columns.rows).toHaveLength(1);
  });
});
