// An import problem as a line people read: where (sheet, row, column) and why, in their language.
import type { TFunction } from 'i18next';
import type { ReportProblem } from './import-report.ts';

export function problemWhere(t: TFunction, problem: ReportProblem): string {
  const parts: string[] = [];
  if (problem.source) parts.push(problem.source);
  if (problem.row !== null) parts.push(t('import.where.row', { row: problem.row }));
  if (problem.column) parts.push(t('import.where.column', { column: problem.column }));
  return parts.join(', ');
}

export function problemReason(t: TFunction, problem: ReportProblem): string {
  return t(`import.problems.${problem.key}`, problem.params ?? {});
}

export function problemText(t: TFunction, problem: ReportProblem): string {
  const where = problemWhere(t, problem);
  return where ? `${where}: ${problemReason(t, problem)}` : problemReason(t, problem);
}
