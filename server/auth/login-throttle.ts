// Login throttling that holds under attack. Each attempt counts itself, before its password is
// checked, in one statement over three keys: the account with the address it comes from (an
// attacker at one address is slowed hard), the account (slowly, and never for long: a person with
// the right password from another address gets in once its short delay has passed), and the
// address (room for a whole campus behind one NAT). A key that is waiting refuses the attempt
// without counting it, so nobody can keep an account locked by trying once in a while. A success
// takes its own count back; an hour without attempts forgets a key.
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';

type Limit = { free: number; longestSeconds: number };
export const throttleLimits = {
  pair: { free: 5, longestSeconds: 15 * 60 },
  account: { free: 20, longestSeconds: 60 },
  address: { free: 300, longestSeconds: 15 * 60 },
} as const satisfies Record<string, Limit>;

export type ThrottleKeys = { pair: string; account: string; address: string };

/** The keys of an attempt; `purpose` keeps "forgot password" requests apart from logins. */
export function throttleKeys(
  email: string,
  address: string | null,
  purpose: 'login' | 'reset' = 'login',
): ThrottleKeys {
  const where = address ?? 'unknown';
  const prefix = purpose === 'login' ? '' : `${purpose}-`;
  return {
    pair: `${prefix}pair:${email}|${where}`,
    account: `${prefix}account:${email}`,
    address: `${prefix}address:${where}`,
  };
}

const order = ['pair', 'account', 'address'] as const;

/**
 * Counts an attempt on all three keys at once, unless one of them is waiting: then nothing is
 * counted and the seconds to wait come back. One statement decides: it locks the keys' rows, so
 * attempts at the same moment are counted one after the other, on all keys or none.
 */
export async function reserveAttempt(
  db: Db,
  keys: ThrottleKeys,
): Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }> {
  const names = order.map((kind) => keys[kind]);
  const frees = order.map((kind) => throttleLimits[kind].free);
  const longest = order.map((kind) => throttleLimits[kind].longestSeconds);
  // The rows first, so that the deciding statement can lock all three (a row being inserted cannot be).
  await sql`
    insert into login_throttle (key, failures, blocked_until, updated_at, free_failures, max_delay_seconds)
    select k, 0, '-infinity', now(), free, longest from unnest(${names}::text[], ${frees}::int[], ${longest}::int[]) as x (k, free, longest)
    on conflict (key) do nothing`.execute(db);
  const fresh = sql`(case when t.updated_at < now() - interval '1 hour' then 0 else t.failures end) + 1`;
  const result = await sql<{ key: string; waiting: number | null }>`
    with locked as (
      select key, blocked_until from login_throttle where key = any (${names}::text[]) for update
    ),
    waiting as (
      select ceil(extract(epoch from max(blocked_until) - now()))::int as seconds from locked where blocked_until > now()
    ),
    counted as (
      insert into login_throttle as t (key, failures, blocked_until, updated_at, free_failures, max_delay_seconds)
      select k, 1, '-infinity', now(), free, longest
      from unnest(${names}::text[], ${frees}::int[], ${longest}::int[]) as x (k, free, longest)
      where not exists (select 1 from waiting where seconds is not null)
      on conflict (key) do update set
        failures = ${fresh},
        -- Moved only to start a wait: an attempt waiting for the lock compares with its own, older now().
        blocked_until = case when ${fresh} <= t.free_failures then t.blocked_until else now() + login_delay(${fresh}, t.free_failures, t.max_delay_seconds) end,
        updated_at = now()
      returning t.key
    )
    select (select count(*) from counted)::int as key, (select seconds from waiting) as waiting`.execute(db);
  const row = result.rows[0];
  if (row?.waiting) return { ok: false, retryAfterSeconds: Math.max(1, row.waiting) };
  return { ok: true };
}

/** Takes one attempt back from keys (it did not fail), and the wait it may have started. */
async function takeBack(db: Db, keys: string[]): Promise<void> {
  await sql`
    update login_throttle set failures = greatest(failures - 1, 0),
      blocked_until = case when failures - 1 <= free_failures then least(blocked_until, now()) else blocked_until end
    where key = any (${keys}::text[])`.execute(db);
}

/** After a right password: the pair and the account start afresh; the address only takes this attempt back. */
export async function attemptSucceeded(db: Db, keys: ThrottleKeys): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', 'in', [keys.pair, keys.account]).execute();
  await takeBack(db, [keys.address]);
}
