// The shared steps of applying an import: the context every kind's step gets, and marking rows
// that fail a check across rows or against the database (each reported with its row number).
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../../../db/schema.ts';
import type { ImportKind } from '../../common/import-kinds.ts';
import { tableOf, type Loaded } from './import-load.ts';
import type { ProblemList } from './import-report.ts';

export type ImportOptions = {
  /** The term teaching rows must belong to, and which sync mode ends teaching in. */
  termCode: string | null;
  /** Canvas's batch mode: people, memberships, roles and teaching the file does not list are disabled or ended. */
  sync: boolean;
};

export type ApplyContext = {
  trx: Transaction<Database>;
  loaded: Loaded;
  problems: ProblemList;
  options: ImportOptions;
  /** The moment written as "ended" and "disabled" (one for the whole import). */
  now: Date;
};

/** Rows written by one kind's step. */
export type Written = { created: number; updated: number; disabled?: number };

/**
 * Marks the rows of `kind` that are still ok and match `condition` (SQL over the row `t`) as not
 * ok, and reports each: `key` under `import.problems`, `params` a JSON object built from the row.
 */
export async function flag(
  ctx: ApplyContext,
  kind: ImportKind,
  column: string | null,
  key: string,
  condition: RawBuilder<unknown>,
  params: RawBuilder<unknown> = sql`'{}'::json`,
): Promise<void> {
  const source = ctx.loaded[kind]?.source ?? null;
  const flagged = await sql<{ row_no: number; params: Record<string, string | number> }>`
    update ${tableOf(kind)} t set ok = false where t.ok and (${condition}) returning t.row_no, ${params} as params`.execute(
    ctx.trx,
  );
  for (const row of flagged.rows.sort((a, b) => a.row_no - b.row_no))
    ctx.problems.add({ kind, source, row: row.row_no, column, key, params: row.params });
}

/**
 * A key given again in the same file: every later row is refused, naming the first. Rows with an
 * empty key (an optional external id) are never duplicates of each other.
 */
export async function flagDuplicates(
  ctx: ApplyContext,
  kind: ImportKind,
  fields: string[],
  column: string = fields[0]!,
  key = 'duplicate_key',
): Promise<void> {
  const source = ctx.loaded[kind]?.source ?? null;
  const keyFields = sql.raw(fields.join(', '));
  const notEmpty = fields.length === 1 ? sql.raw(`${fields[0]} is not null`) : sql`true`;
  const flagged = await sql<{ row_no: number; first: number }>`
    with ranked as (
      select row_no, min(row_no) over (partition by ${keyFields}) as first from ${tableOf(kind)} where ok and ${notEmpty}
    )
    update ${tableOf(kind)} t set ok = false from ranked r
    where t.row_no = r.row_no and r.first < r.row_no
    returning t.row_no, r.first`.execute(ctx.trx);
  for (const row of flagged.rows.sort((a, b) => a.row_no - b.row_no))
    ctx.problems.add({ kind, source, row: row.row_no, column, key, params: { row: row.first } });
}

/** How many of a kind's rows are still ok (written, or unchanged). */
export async function okRows(ctx: ApplyContext, kind: ImportKind): Promise<number> {
  const result = await sql<{ n: string }>`select count(*) as n from ${tableOf(kind)} where ok`.execute(ctx.trx);
  return Number(result.rows[0]?.n ?? 0);
}
