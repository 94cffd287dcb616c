// Login throttling that cannot be raced: each attempt counts itself in one statement before its
// password is checked. A key's row keeps its own limits (free failures, longest delay) and when it
// was last counted (failures are forgotten an hour after the last). Frozen once landed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    delete from login_throttle;
    alter table login_throttle
      add column updated_at timestamptz not null default now(),
      add column free_failures integer not null default 0,
      add column max_delay_seconds integer not null default 900;

    -- The delay after the f-th counted attempt of a key: none while f is within its free failures,
    -- then 1, 2, 4 … seconds up to its longest delay.
    create function login_delay(f integer, free integer, longest integer) returns interval
    language sql immutable as $$
      select make_interval(secs => case when f <= free then 0 else least(longest, power(2, least(f - free - 1, 30))) end)
    $$;
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('2026-11-29T2300-login-throttle cannot be undone (restore a backup).');
}
