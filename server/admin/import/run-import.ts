// Runs an import of the registrar's files: in one transaction, every sheet is loaded and checked and
// every kind written in dependency order. A preview then rolls back, so what it shows is exactly
// what applying would do; applying commits only when the file has no problems, or when the admin
// chose to apply its valid rows. One import at a time (an advisory lock): two never mix.
import { sql, type Transaction } from 'kysely';
import type { Db } from '../../../db/client.ts';
import type { Database } from '../../../db/schema.ts';
import { recordAudit } from '../../audit/audit-log.ts';
import { activeAdminCount, lockAdminRoles } from '../admin-guard.ts';
import { importKinds, type ImportKind } from '../../common/import-kinds.ts';
import { okRows, type ApplyContext, type ImportOptions, type Written } from './import-flags.ts';
import { loadSheets } from './import-load.ts';
import { applyGroupMembers, applyPeople, applyRoles, inviteNewPeople, type Invitations } from './import-people.ts';
import { ImportProblem } from './import-problem.ts';
import { emptyCounts, ProblemList, type ImportReport, type KindCounts } from './import-report.ts';
import type { KindRows } from './export-university.ts';
import { defaultImportLimits, importSheets, type ImportLimits, type KindSheet } from './import-sources.ts';
import type { SourceRow } from './read-workbook.ts';
import { applyDepartments, applyFaculties, applyGroups, applySubjects, applyTerms } from './import-structure.ts';
import { applyTeaching } from './import-teaching.ts';

export type { ImportOptions };

/** One step per kind, in the order they depend on each other (`importKinds`); a missing one is a type error. */
const appliers: Record<ImportKind, (ctx: ApplyContext) => Promise<Written>> = {
  faculties: applyFaculties,
  departments: applyDepartments,
  subjects: applySubjects,
  terms: applyTerms,
  groups: applyGroups,
  people: applyPeople,
  roles: applyRoles,
  group_members: applyGroupMembers,
  teaching: applyTeaching,
};

export type ImportProgress = {
  phase: 'reading' | 'writing' | 'done';
  /** Rows read so far, by kind. */
  rows: Partial<Record<ImportKind, number>>;
  /** While writing: the kinds written so far, of how many. */
  written: number;
  kinds: number;
};

/** A file (its path, and the name it was given: an uploaded CSV's name says its kind), or rows made in Kabinet (an admin's form). */
export type ImportSource = { filePath: string; fileName: string } | { rows: KindRows[]; fileName: string };

export type RunImportInput = ImportSource & {
  options: ImportOptions;
  /** Write it (else a preview). */
  apply: boolean;
  /** Write the valid rows of a file with problems (the admin chose so explicitly). */
  applyValidOnly: boolean;
  actor: { id: string | null; ip: string | null };
  /** The import run this is, for the audit log. */
  runId?: string;
  /** When applied, e-mail the people it adds a sign-in link (SMTP configured; the admin asked). */
  invite?: Invitations;
  /** What the audit log records instead of `import.apply` (an admin's form writes one row). */
  audit?: { action: string; objectType: string; objectId: string };
  limits?: ImportLimits;
};

/** Thrown to end the transaction without writing, carrying the report. */
class RolledBack extends Error {
  readonly report: ImportReport;
  constructor(report: ImportReport) {
    super('rolled back');
    this.report = report;
  }
}

const IMPORT_LOCK = 72_017_014;

/** Rows made in Kabinet as sheets: the header is row 1, the first data row row 2. */
async function* rowSheets(kinds: KindRows[]): AsyncGenerator<KindSheet> {
  for (const { kind, columns, rows } of kinds) {
    const all = [columns, ...rows.map((row) => row.map((value) => (value === null ? '' : String(value))))];
    yield { kind, source: kind, rows: numbered(all) };
  }
}

async function* numbered(rows: string[][]): AsyncGenerator<SourceRow> {
  for (const [i, cells] of rows.entries()) yield { number: i + 1, cells, errorColumns: [] };
}

/** The sheets to read: the rows made in Kabinet, or the file's. */
function sheetsOf(input: RunImportInput): AsyncGenerator<KindSheet> {
  return 'rows' in input
    ? rowSheets(input.rows)
    : importSheets(input.filePath, input.fileName, input.limits ?? defaultImportLimits);
}

/** Writes one kind's rows, and counts what it did. */
async function writeKind(ctx: ApplyContext, kind: ImportKind): Promise<KindCounts> {
  const written = await appliers[kind](ctx);
  const ok = await okRows(ctx, kind);
  return {
    ...emptyCounts(),
    rows: ctx.loaded[kind]!.rows,
    created: written.created,
    updated: written.updated,
    unchanged: ok - written.created - written.updated,
    disabled: written.disabled ?? 0,
  };
}

/**
 * An import may not take away the last administrator (an empty database has none to take),
 * nor may it and a change on the people page together: both count after the same lock.
 */
async function checkAdminLeft(trx: Transaction<Database>, adminsBefore: number, problems: ProblemList): Promise<void> {
  await lockAdminRoles(trx);
  if (adminsBefore > 0 && (await activeAdminCount(trx)) === 0)
    problems.add({ kind: null, source: null, row: null, column: null, key: 'no_admin_left', blocking: true });
}

/** Whoever the import disabled is signed out at once, and their sign-in links die. */
async function endDisabledAccess(trx: Transaction<Database>, now: Date): Promise<void> {
  await sql`update session s set revoked_at = ${now} from app_user u where u.id = s.user_id and u.disabled_at is not null and s.revoked_at is null`.execute(
    trx,
  );
  await sql`update sign_in_link l set used_at = ${now} from app_user u where u.id = l.user_id and u.disabled_at is not null and l.used_at is null`.execute(
    trx,
  );
}

/** The audit log's row for an applied import: the rows made in Kabinet, or the file and what it did. */
async function auditApplied(
  trx: Transaction<Database>,
  input: RunImportInput,
  outcome: { kinds: Partial<Record<ImportKind, KindCounts>>; problems: number; invited: number },
): Promise<void> {
  await recordAudit(trx, {
    actorId: input.actor.id,
    ...(input.audit ?? { action: 'import.apply', objectType: 'import', objectId: input.runId ?? input.fileName }),
    ip: input.actor.ip,
    data:
      'rows' in input
        ? { rows: input.rows }
        : {
            file: input.fileName,
            sync: input.options.sync,
            term: input.options.termCode,
            validOnly: input.applyValidOnly,
            kinds: outcome.kinds,
            problems: outcome.problems,
            invited: outcome.invited,
          },
  });
}

export async function runImport(
  db: Db,
  input: RunImportInput,
  onProgress: (progress: ImportProgress) => void = () => undefined,
): Promise<ImportReport> {
  const started = performance.now();
  const problems = new ProblemList();
  const kinds: Partial<Record<ImportKind, KindCounts>> = {};
  const progress: ImportProgress = { phase: 'reading', rows: {}, written: 0, kinds: 0 };
  let invited = 0;
  const report = (outcome: ImportReport['outcome']): ImportReport => {
    problems.sort(importKinds);
    return {
      outcome,
      sync: input.options.sync,
      term: input.options.termCode,
      kinds,
      problems: problems.items,
      problemCount: problems.count,
      rowsWithProblems: problems.rowCount,
      invited,
      seconds: Math.round((performance.now() - started) / 10) / 100,
    };
  };
  try {
    await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${IMPORT_LOCK})`.execute(trx);
      const adminsBefore = await activeAdminCount(trx);
      const sheets = sheetsOf(input);
      const loaded = await loadSheets(trx, sheets, input.limits ?? defaultImportLimits, problems, (kind, rows) => {
        progress.rows[kind] = rows;
        onProgress(progress);
      });
      const ctx: ApplyContext = { trx, loaded, problems, options: input.options, now: new Date() };
      const present = importKinds.filter((kind) => loaded[kind]);
      Object.assign(progress, { phase: 'writing', kinds: present.length });
      for (const kind of present) {
        kinds[kind] = await writeKind(ctx, kind);
        progress.written += 1;
        onProgress(progress);
      }
      await checkAdminLeft(trx, adminsBefore, problems);
      await endDisabledAccess(trx, ctx.now);
      for (const kind of present) kinds[kind]!.errors = problems.rowsOf(kind);

      if (!input.apply) throw new RolledBack(report('preview'));
      if (problems.blocking > 0 || (problems.count > 0 && !input.applyValidOnly))
        throw new RolledBack(report('refused'));
      if (input.invite) invited = await inviteNewPeople(trx, input.invite, input.actor.id);
      await auditApplied(trx, input, { kinds, problems: problems.count, invited });
    });
    progress.phase = 'done';
    onProgress(progress);
    return report('applied');
  } catch (error) {
    progress.phase = 'done';
    onProgress(progress);
    if (error instanceof RolledBack) return error.report;
    if (error instanceof ImportProblem) {
      problems.add({
        kind: null,
        source: null,
        row: null,
        column: null,
        key: error.key,
        params: error.params,
        blocking: true,
      });
      return report(input.apply ? 'refused' : 'preview');
    }
    throw error;
  }
}
