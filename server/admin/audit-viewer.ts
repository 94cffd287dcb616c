// The audit log for the admin: filter by person (name, e-mail or external id of who acted), object,
// action and dates, newest first, a page at a time (keyset on time and id), and the same rows as CSV
// streamed in batches, however many there are.
// Newest first by id (identity: ids grow with time), so a page's cursor is its last id.
import { sql } from 'kysely';
import type { Db } from '../../db/client.ts';
import { requirePermission, type Principal } from '../auth/permissions.ts';
import { calendarDate } from '../common/cell-parsers.ts';
import { inertText } from '../exports/spreadsheet.ts';

export const auditPageSize = 100;

export type AuditFilters = {
  person: string;
  action: string;
  objectType: string;
  objectId: string;
  from: string;
  to: string;
};
export type AuditRow = {
  id: string;
  at: string;
  actor: string | null;
  actorEmail: string | null;
  action: string;
  objectType: string;
  objectId: string;
  /** The person the event is about, when it is about a person (more readable than their id). */
  objectName: string | null;
  ip: string | null;
  data: string;
};
/** The id of the last row of a page: the next page starts after it (ids grow with time). */
export type AuditCursor = string;

/** The filters from a page's query string (each at most 200 characters). */
export function auditFiltersOf(params: URLSearchParams): AuditFilters {
  const get = (name: string) => (params.get(name) ?? '').slice(0, 200);
  return {
    person: get('person'),
    action: get('action'),
    objectType: get('objectType'),
    objectId: get('objectId'),
    from: get('from'),
    to: get('to'),
  };
}

const dateOrNull = (text: string) => {
  const parsed = calendarDate(text.trim());
  return text.trim() && 'value' in parsed ? parsed.value : null;
};

function filtered(db: Db, filters: AuditFilters, timeZone: string) {
  let query = db
    .selectFrom('audit_event as a')
    .leftJoin('app_user as u', 'u.id', 'a.actor_id')
    .leftJoin('app_user as o', (join) =>
      // By the person's primary key (a cast id compared as text would read every person).
      join.on(
        sql<boolean>`o.id = case when a.object_type = 'app_user' and a.object_id ~ '^[0-9a-f-]{36}$' then a.object_id::uuid end`,
      ),
    );
  const person = filters.person.trim().toLowerCase().slice(0, 100);
  if (person) query = query.where('u.search', 'like', `%${person.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const action = filters.action.trim().slice(0, 100);
  // "import" finds import.upload, import.apply …; "import.apply" finds exactly that.
  if (action)
    query = query.where((eb) =>
      eb.or([eb('a.action', '=', action), eb('a.action', 'like', `${action.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`)]),
    );
  if (filters.objectType.trim()) query = query.where('a.object_type', '=', filters.objectType.trim().slice(0, 100));
  if (filters.objectId.trim()) query = query.where('a.object_id', '=', filters.objectId.trim().slice(0, 200));
  const from = dateOrNull(filters.from);
  const to = dateOrNull(filters.to);
  // Dates are the university's days (the term's time zone).
  if (from) query = query.where('a.at', '>=', sql<Date>`(${from}::date)::timestamp at time zone ${timeZone}`);
  if (to) query = query.where('a.at', '<', sql<Date>`(${to}::date + 1)::timestamp at time zone ${timeZone}`);
  return query;
}

async function page(
  db: Db,
  filters: AuditFilters,
  timeZone: string,
  after: AuditCursor | null,
  limit: number,
): Promise<AuditRow[]> {
  let query = filtered(db, filters, timeZone);
  if (after !== null && /^\d{1,18}$/.test(after)) query = query.where('a.id', '<', after);
  const rows = await query
    .select([
      'a.id',
      'a.at',
      'u.full_name',
      'u.email',
      'a.action',
      'a.object_type',
      'a.object_id',
      'o.full_name as object_name',
      'a.ip',
      sql<string>`a.data::text`.as('data'),
    ])
    .orderBy('a.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    id: String(row.id),
    at: row.at.toISOString(),
    actor: row.full_name ?? null,
    actorEmail: row.email ?? null,
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    objectName: row.object_name ?? null,
    ip: row.ip,
    data: row.data.length > 500 ? `${row.data.slice(0, 500)}…` : row.data,
  }));
}

export async function auditPage(
  db: Db,
  user: Principal,
  filters: AuditFilters,
  timeZone: string,
  after: AuditCursor | null,
) {
  requirePermission(user, 'admin.manage', {});
  const rows = await page(db, filters, timeZone, after, auditPageSize + 1);
  const shown = rows.slice(0, auditPageSize);
  const last = shown.at(-1);
  return { rows: shown, next: rows.length > auditPageSize && last ? last.id : null };
}

/** A CSV field: quoted when needed, and a leading = + - @ made inert (a spreadsheet would run it as a formula). */
export function csvField(value: string | null): string {
  const inert = inertText(value ?? '');
  return /[",\r\n;]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}

/** Every matching row as CSV lines (a BOM and the header first), fetched 2,000 at a time. */
export async function* auditCsv(
  db: Db,
  user: Principal,
  filters: AuditFilters,
  timeZone: string,
  header: string[],
): AsyncGenerator<string> {
  requirePermission(user, 'admin.manage', {});
  yield `\uFEFF${header.map(csvField).join(',')}\r\n`;
  let after: AuditCursor | null = null;
  for (;;) {
    const rows = await page(db, filters, timeZone, after, 2000);
    if (rows.length === 0) return;
    yield (
      rows
        .map((row) =>
          [
            row.at,
            row.actor,
            row.actorEmail,
            row.action,
            row.objectType,
            row.objectName ?? row.objectId,
            row.ip,
            row.data,
          ]
            .map(csvField)
            .join(','),
        )
        .join('\r\n') + '\r\n'
    );
    after = rows.at(-1)!.id;
  }
}
