// A roll-up (a faculty's departments, or the university's faculties) as a ranked table with
// coloured completeness and timeliness, each row a link one level down; and the "as of" form.
import { Form, Link, useSearchParams } from '@remix-run/react';
import { useTranslation } from 'react-i18next';
import type { Rollup } from '../../server/reports/rollups.ts';
import { levelClass, percent } from './report-levels.ts';

export function RollupTable({ rollup, linkTo }: { rollup: Rollup; linkTo: (id: string) => string }) {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const asOf = params.get('asOf');
  const withDate = (to: string) => (asOf ? `${to}?asOf=${asOf}` : to);
  return (
    <>
      <Form method="get" className="inline-form no-print">
        <label>
          {t('report.asOf')} <input type="date" name="asOf" defaultValue={asOf ?? ''} />
        </label>{' '}
        <button type="submit">{t('report.show')}</button>
      </Form>
      <p className="summary" data-testid="rollup-total">
        {t('report.totals', {
          completeness: percent(rollup.total.completeness),
          timeliness: percent(rollup.total.timeliness),
          overdue: rollup.total.total.overdue,
          delivered: rollup.total.total.delivered,
          required: rollup.total.total.required,
        })}
      </p>
      <table className="roster report-table" data-testid="rollup-table">
        <thead>
          <tr>
            <th>#</th>
            <th>{t('report.unit')}</th>
            <th>{t('report.cabinets')}</th>
            <th>{t('report.completeness')}</th>
            <th>{t('report.timeliness')}</th>
            <th>{t('report.overdue')}</th>
          </tr>
        </thead>
        <tbody>
          {rollup.rows.map((row, i) => (
            <tr key={row.id} data-testid="rollup-row">
              <td>{i + 1}</td>
              <td>
                <Link to={withDate(linkTo(row.id))} data-testid="rollup-link">
                  {row.name}
                </Link>
              </td>
              <td>{row.cabinets}</td>
              <td className={levelClass(row.completeness)}>{percent(row.completeness)}</td>
              <td className={levelClass(row.timeliness)}>{percent(row.timeliness)}</td>
              <td>{row.total.overdue}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
