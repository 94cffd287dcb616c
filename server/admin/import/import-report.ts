// What an import says: per kind how many rows were created, updated, unchanged and disabled (sync),
// and every problem with its sheet, row, column and a translated reason.
import type { ImportKind } from '../../common/import-kinds.ts';

export type KindCounts = {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  disabled: number;
  errors: number;
};
export const emptyCounts = (): KindCounts => ({
  rows: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  disabled: 0,
  errors: 0,
});

/** A problem: `key` is a dictionary key under `import.problems`; row and column where the file has them. */
export type ReportProblem = {
  kind: ImportKind | null;
  source: string | null;
  row: number | null;
  column: string | null;
  key: string;
  params?: Record<string, string | number>;
  /** The cell's text as the file has it (its first 80 characters), for a problem with one cell. */
  value?: string;
  /** The file or a whole sheet cannot be used: even "apply the valid rows only" is refused. */
  blocking?: boolean;
};

/**
 * `preview`: nothing was written; `applied`: written in one transaction; `refused`: asked to apply,
 * but the file has problems and applying only its valid rows was not chosen (nothing written).
 */
export type ImportOutcome = 'preview' | 'applied' | 'refused';

export type ImportReport = {
  outcome: ImportOutcome;
  sync: boolean;
  term: string | null;
  kinds: Partial<Record<ImportKind, KindCounts>>;
  /** The first `ProblemList.kept` problems, in the file's order. */
  problems: ReportProblem[];
  problemCount: number;
  /** Rows with at least one problem (what `errors` counts in the CLI's line). */
  rowsWithProblems: number;
  /** People the applied import e-mailed a sign-in link (absent in reports from before invitations). */
  invited?: number;
  seconds: number;
};

/** Problems as they are found; only the first `kept` are kept in full (a 40,000-row file of one mistake stays readable). */
export class ProblemList {
  static readonly kept = 1000;
  readonly items: ReportProblem[] = [];
  count = 0;
  blocking = 0;
  private readonly rows = new Set<string>();

  add(problem: ReportProblem): void {
    this.count += 1;
    if (problem.blocking) this.blocking += 1;
    if (problem.row !== null) this.rows.add(`${problem.kind}:${problem.row}`);
    if (this.items.length < ProblemList.kept) this.items.push(problem);
  }

  /** In the order kinds are written, then by row: as the admin reads the file. */
  sort(order: readonly string[]): void {
    const rank = (problem: ReportProblem) => (problem.kind === null ? -1 : order.indexOf(problem.kind));
    this.items.sort((a, b) => rank(a) - rank(b) || (a.row ?? 0) - (b.row ?? 0));
  }

  get rowCount(): number {
    return this.rows.size;
  }

  rowsOf(kind: ImportKind): number {
    let n = 0;
    for (const key of this.rows) if (key.startsWith(`${kind}:`)) n += 1;
    return n;
  }
}

/** The CLI's last line: `{"import":"preview|applied|refused","created":{…},"updated":{…},"unchanged":{…},"disabled":{…},"errors":N}`. */
export function summaryLine(report: ImportReport): string {
  const pick = (field: keyof KindCounts) =>
    Object.fromEntries(Object.entries(report.kinds).map(([kind, counts]) => [kind, counts[field]]));
  return JSON.stringify({
    import: report.outcome,
    created: pick('created'),
    updated: pick('updated'),
    unchanged: pick('unchanged'),
    disabled: pick('disabled'),
    errors: report.rowsWithProblems,
    invited: report.invited ?? 0,
  });
}
