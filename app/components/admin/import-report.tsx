// An import's report: per kind how many rows were created, updated, unchanged, disabled and refused,
// and its problems with sheet, row, column and reason.
import { useTranslation } from 'react-i18next';
import { importKinds } from '../../../server/common/import-kinds.ts';
import type { ImportReport, ReportProblem } from '../../../server/admin/import/import-report.ts';

const counts = ['rows', 'created', 'updated', 'unchanged', 'disabled', 'errors'] as const;

export function ImportCounts({ report, compact = false }: { report: ImportReport; compact?: boolean }) {
  const { t } = useTranslation();
  // In the order kinds are written (the stored report's JSON keeps no order).
  const kinds = importKinds.flatMap((kind) => (report.kinds[kind] ? [[kind, report.kinds[kind]] as const] : []));
  if (compact) {
    const sum = (field: (typeof counts)[number]) => kinds.reduce((n, [, k]) => n + k[field], 0);
    return (
      <span className="muted">
        {t('admin.imports.compact', {
          created: sum('created'),
          updated: sum('updated'),
          disabled: sum('disabled'),
          errors: report.problemCount,
        })}
      </span>
    );
  }
  if (kinds.length === 0) return null;
  return (
    <table className="stack-table" data-testid="import-counts">
      <thead>
        <tr>
          <th>{t('admin.imports.kind')}</th>
          {counts.map((field) => (
            <th key={field}>{t(`admin.imports.counts.${field}`)}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {kinds.map(([kind, values]) => (
          <tr key={kind} data-kind={kind}>
            <td data-label={t('admin.imports.kind')}>{t(`admin.kinds.${kind}`)}</td>
            {counts.map((field) => (
              <td key={field} data-label={t(`admin.imports.counts.${field}`)} data-count={field}>
                {values[field]}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ImportProblems({ problems, total }: { problems: ReportProblem[]; total: number }) {
  const { t } = useTranslation();
  if (total === 0) return null;
  return (
    <section className="panel">
      <h2>{t('admin.imports.problems', { count: total })}</h2>
      <table className="stack-table" data-testid="import-problems">
        <thead>
          <tr>
            <th>{t('admin.imports.sheet')}</th>
            <th>{t('admin.imports.row')}</th>
            <th>{t('admin.imports.column')}</th>
            <th>{t('admin.imports.value')}</th>
            <th>{t('admin.imports.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {problems.map((problem, i) => (
            <tr key={i} data-testid="import-problem" data-row={problem.row ?? ''}>
              <td data-label={t('admin.imports.sheet')}>{problem.source ?? '—'}</td>
              <td data-label={t('admin.imports.row')}>{problem.row ?? '—'}</td>
              <td data-label={t('admin.imports.column')}>{problem.column ?? '—'}</td>
              <td data-label={t('admin.imports.value')} className="break">
                {problem.value ?? ''}
              </td>
              <td data-label={t('admin.imports.reason')}>
                {t(`import.problems.${problem.key}`, problem.params ?? {})}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {total > problems.length ? (
        <p className="muted">{t('admin.imports.moreProblems', { count: total - problems.length })}</p>
      ) : null}
    </section>
  );
}
