// What every report page shows: the "as of" form and the totals line; and a roll-up (a faculty's
// departments, or the university's faculties) as a ranked table with coloured completeness and
// timeliness and the quality signals summed, each row a link one level down.
import { Form, Link, useSearchParams } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { Summary } from '../../server/reports/department-report.ts';
import type { Rollup } from '../../server/reports/rollups.ts';
import type { QualitySignals } from '../../server/reports/quality.ts';
import { LocalTime } from './local-time.tsx';
import { levelClass, percent } from './report-levels.ts';
import { ScrollTable } from './scroll-table.tsx';

/** The date the report stands at (GET `asOf`, empty: now). */
export function AsOfForm() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  return (
    <Form method="get" className="inline-form no-print">
      <label>
        {t('report.asOf')} <input type="date" name="asOf" defaultValue={params.get('asOf') ?? ''} />
      </label>{' '}
      <button type="submit">{t('report.show')}</button>
    </Form>
  );
}

/** Said when the refresher did not catch up in time (server/reports/freshness.ts): the figures are those it kept. */
export function RefreshingNote({ keptAsOf, timeZone }: { keptAsOf: string | null; timeZone: string }) {
  const { t } = useTranslation();
  return (
    <p className="notice" role="status" data-testid="report-refreshing">
      {t('report.refreshing')}
      {keptAsOf ? (
        <>
          {' '}
          {t('report.keptAsOf')} <LocalTime iso={keptAsOf} termZone={timeZone} />
        </>
      ) : null}
    </p>
  );
}

/**
 * The report's downloads (XLSX; CSV separated as the reader's Excel expects first, the other
 * second) and its printout. `base` is the page's path; the "as of" date goes along.
 */
export function ExportLinks({ base }: { base: string }) {
  const { t, i18n } = useTranslation();
  const [params] = useSearchParams();
  const asOf = params.get('asOf');
  const href = (format: string, sep?: string) => {
    const query = new URLSearchParams();
    if (asOf) query.set('asOf', asOf);
    if (sep) query.set('sep', sep);
    return `${base}.${format}${query.size ? `?${query}` : ''}`;
  };
  const separators = i18n.language === 'en' ? (['comma', 'semicolon'] as const) : (['semicolon', 'comma'] as const);
  return (
    <p className="no-print export-links">
      {t('report.export')}{' '}
      <a href={href('xlsx')} data-testid="export-xlsx">
        XLSX
      </a>
      {separators.map((sep) => (
        <span key={sep}>
          {' · '}
          <a href={href('csv', sep)} data-testid={`export-csv-${sep}`}>
            {t(sep === 'comma' ? 'report.csvComma' : 'report.csvSemicolon')}
          </a>
        </span>
      ))}{' '}
      <button type="button" onClick={() => window.print()}>
        {t('report.print')}
      </button>
    </p>
  );
}

/** One line with the unit's completeness, timeliness and counts, named by the unit. */
export function TotalsLine({ unit, summary, testId }: { unit: string; summary: Summary; testId: string }) {
  const { t } = useTranslation();
  return (
    <p className="summary" data-testid={testId}>
      {t('report.totals', {
        unit,
        completeness: percent(summary.completeness),
        timeliness: percent(summary.timeliness),
        overdue: summary.total.overdue,
        delivered: summary.total.delivered,
        required: summary.total.required,
      })}
    </p>
  );
}

/** The quality signals' column headers, as every report table shows them. */
export function QualityHeaders() {
  const { t } = useTranslation();
  return (
    <>
      {(['lectureMinutes', 'captions', 'reused', 'watched', 'submissions', 'graded'] as const).map((key) => (
        <th key={key}>{t(`report.${key}`)}</th>
      ))}
    </>
  );
}

/** The quality signals beside the counts, as every report table shows them. */
export function QualityCells({ quality }: { quality: QualitySignals }) {
  return (
    <>
      <td>{quality.lectureMinutes}</td>
      <td>{percent(quality.captionShare)}</td>
      <td>{quality.reusedItems}</td>
      <td data-testid="watched">{percent(quality.watchedShare)}</td>
      <td>{quality.submissions}</td>
      <td>{percent(quality.gradedShare)}</td>
    </>
  );
}

/** A faculty's or the university's report page: the way back (up a level, or home), its title, and the roll-up. */
export function RollupPage({
  title,
  rollup,
  base,
  linkTo,
}: {
  title: string;
  rollup: Rollup;
  /** The page's path, which its downloads extend (`.xlsx`, `.csv`). */
  base: string;
  linkTo: (id: string) => string;
}) {
  const { t } = useTranslation();
  return (
    <section className="report">
      <p className="no-print">
        {rollup.up ? (
          <Link to={rollup.up.to} data-testid="report-up">
            ← {t('report.university')}
          </Link>
        ) : (
          <Link to="/">← {t('nav.home')}</Link>
        )}
      </p>
      <h1>{title}</h1>
      <RollupTable rollup={rollup} title={title} base={base} linkTo={linkTo} />
    </section>
  );
}

function RollupTable({
  rollup,
  title,
  base,
  linkTo,
}: {
  rollup: Rollup;
  title: string;
  base: string;
  linkTo: (id: string) => string;
}) {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const asOf = params.get('asOf');
  const withDate = (to: string) => (asOf ? `${to}?asOf=${asOf}` : to);
  return (
    <>
      <AsOfForm />
      {rollup.refreshing ? <RefreshingNote keptAsOf={null} timeZone={rollup.term.timeZone} /> : null}
      <ExportLinks base={base} />
      <TotalsLine unit={title} summary={rollup.total} testId="rollup-total" />
      <ScrollTable label={t('report.pageTitle')}>
        <table className="roster report-table" data-testid="rollup-table">
          <thead>
            <tr>
              <th>{t('report.unit')}</th>
              <th>{t('report.cabinets')}</th>
              <th>{t('report.completeness')}</th>
              <th>{t('report.timeliness')}</th>
              <th>{t('report.overdue')}</th>
              <QualityHeaders />
            </tr>
          </thead>
          <tbody>
            {rollup.rows.map((row, i) => (
              <tr key={row.id} data-testid="rollup-row">
                <td>
                  {i + 1}.{' '}
                  <Link to={withDate(linkTo(row.id))} data-testid="rollup-link">
                    {row.name}
                  </Link>
                </td>
                <td>{row.cabinets}</td>
                <td className={levelClass(row.completeness)}>{percent(row.completeness)}</td>
                <td className={levelClass(row.timeliness)}>{percent(row.timeliness)}</td>
                <td>{row.total.overdue}</td>
                <QualityCells quality={row.quality} />
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollTable>
    </>
  );
}
