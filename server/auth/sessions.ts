// Server-side sessions in Postgres: a random token in an HttpOnly cookie, only its hash stored.
import { createHash, randomBytes } from 'node:crypto';
import { parseCookie, stringifySetCookie } from 'cookie';
import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { executePrepared, type Db } from '../../db/client.ts';
import type { Database, Locale } from '../../db/schema.ts';
import type { Principal, RoleGrant } from './permissions.ts';
import { defaultSessionIdle, type SessionIdle } from './session-limits.ts';

export const SESSION_COOKIE = 'kabinet_session';
const touchAfterMs = 10 * 60 * 1000;

export type SessionUser = Principal & { email: string; fullName: string; locale: Locale };

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** A person's current roles and study groups, as columns of a query over `app_user`. */
function principalColumns(eb: ExpressionBuilder<Database & { app_user: Database['app_user'] }, 'app_user'>) {
  return [
    eb
      .selectFrom('role_assignment as ra')
      .select(
        sql<
          RoleGrant[]
        >`coalesce(json_agg(json_build_object('role', ra.role, 'facultyId', ra.faculty_id, 'departmentId', ra.department_id) order by ra.role, ra.created_at), '[]')`.as(
          'roles',
        ),
      )
      .whereRef('ra.user_id', '=', 'app_user.id')
      .where('ra.ended_at', 'is', null)
      .as('roles'),
    eb
      .selectFrom('group_student as gs')
      .select(sql<string[]>`coalesce(array_agg(gs.group_id), '{}')`.as('ids'))
      .whereRef('gs.student_id', '=', 'app_user.id')
      .as('groupIds'),
  ] as const;
}

/** The permission module's view of a person who is not signing in (a calendar feed's owner), or null if disabled. */
export async function loadPrincipal(db: Db, userId: string): Promise<(Principal & { locale: Locale }) | null> {
  const row = await db
    .selectFrom('app_user')
    .select((eb) => ['app_user.id', 'app_user.locale', ...principalColumns(eb)])
    .where('app_user.id', '=', userId)
    .where('app_user.disabled_at', 'is', null)
    .executeTakeFirst();
  return row ? { id: row.id, locale: row.locale, roles: row.roles ?? [], groupIds: row.groupIds ?? [] } : null;
}

export async function createSession(
  db: Db,
  input: { userId: string; ttlMs: number; ip: string | null; userAgent: string | null },
): Promise<string> {
  // A fresh token at every login: a token planted before login is worth nothing after it.
  const token = randomBytes(32).toString('base64url');
  await db
    .insertInto('session')
    .values({
      token_hash: hashToken(token),
      user_id: input.userId,
      expires_at: new Date(Date.now() + input.ttlMs),
      ip: input.ip,
      user_agent: input.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return token;
}

export function readSessionToken(cookieHeader: string | null | undefined): string | null {
  if (!cookieHeader) return null;
  const token = parseCookie(cookieHeader)[SESSION_COOKIE];
  return token && /^[A-Za-z0-9_-]{43}$/.test(token) ? token : null;
}

export async function findSessionUser(
  db: Db,
  token: string | null,
  idle: SessionIdle = defaultSessionIdle,
): Promise<SessionUser | null> {
  if (!token) return null;
  // One prepared statement on every request: the person, their current roles and their groups.
  const [row] = await executePrepared(
    db,
    db
      .selectFrom('session')
      .innerJoin('app_user', 'app_user.id', 'session.user_id')
      .select((eb) => [
        'session.token_hash',
        'session.last_seen_at',
        'app_user.id',
        'app_user.email',
        'app_user.full_name',
        'app_user.locale',
        ...principalColumns(eb),
      ])
      .where('session.token_hash', '=', hashToken(token))
      .where('session.revoked_at', 'is', null)
      .where('session.expires_at', '>', new Date())
      .where('app_user.disabled_at', 'is', null)
      // Unused for too long: staff after a working day, students after a month (session-limits.ts).
      .where((eb) =>
        eb(
          'session.last_seen_at',
          '>',
          sql<Date>`now() - (case when exists (select 1 from role_assignment r where r.user_id = app_user.id and r.ended_at is null) then ${idle.staff}::double precision else ${idle.students}::double precision end) * interval '1 millisecond'`,
        ),
      ),
  );
  if (!row) return null;
  if (Date.now() - row.last_seen_at.getTime() > touchAfterMs) {
    await db
      .updateTable('session')
      .set({ last_seen_at: new Date() })
      .where('token_hash', '=', row.token_hash)
      .execute();
  }
  return {
    id: row.id,
    email: row.email,
    fullName: row.full_name,
    locale: row.locale,
    roles: row.roles ?? [],
    groupIds: row.groupIds ?? [],
  };
}

/** The user behind a request's `Cookie` header, or null. */
export function findUserByCookie(
  db: Db,
  cookieHeader: string | null | undefined,
  idle: SessionIdle = defaultSessionIdle,
): Promise<SessionUser | null> {
  return findSessionUser(db, readSessionToken(cookieHeader), idle);
}

export async function revokeSession(db: Db, token: string): Promise<void> {
  await db.updateTable('session').set({ revoked_at: new Date() }).where('token_hash', '=', hashToken(token)).execute();
}

export function sessionCookie(token: string, options: { secure: boolean; maxAgeMs: number }): string {
  return stringifySetCookie({
    name: SESSION_COOKIE,
    value: token,
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    path: '/',
    maxAge: Math.floor(options.maxAgeMs / 1000),
  });
}

export function clearSessionCookie(options: { secure: boolean }): string {
  return stringifySetCookie({
    name: SESSION_COOKIE,
    value: '',
    httpOnly: true,
    sameSite: 'lax',
    secure: options.secure,
    path: '/',
    maxAge: 0,
  });
}

/** Ends every session of a person at once (disabled, or signing out everywhere). */
export async function revokeSessionsOf(db: Kysely<Database>, userId: string): Promise<void> {
  await db
    .updateTable('session')
    .set({ revoked_at: new Date() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}
