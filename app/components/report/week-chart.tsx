// Completeness and timeliness week by week: two lines (they often coincide, so one is drawn wide and
// the other dashed on it, each point marked), a legend with the lines' own marks, and the same
// figures as a table for screen readers and for anyone who wants the numbers.
import { useTranslation } from 'react-i18next';
import type { WeekPoint } from '../../../server/reports/department-page.ts';
import { percent } from '../report-levels.ts';

const series = ['completeness', 'timeliness'] as const;

function LegendMark({ name }: { name: (typeof series)[number] }) {
  return (
    <svg viewBox="0 0 32 12" aria-hidden="true">
      <line x1={0} x2={32} y1={6} y2={6} className={`series ${name}`} />
    </svg>
  );
}

export function WeekChart({ weeks, termWeeks }: { weeks: WeekPoint[]; termWeeks: number }) {
  const { t } = useTranslation();
  const width = 480;
  const height = 160;
  const x = (week: number) => 30 + ((week - 1) / Math.max(1, termWeeks - 1)) * (width - 40);
  const y = (value: number) => 10 + (1 - value) * (height - 30);
  const points = (name: (typeof series)[number]) =>
    weeks.flatMap((p) => (p[name] === null ? [] : [{ week: p.week, value: p[name] }]));
  return (
    <figure className="chart" data-testid="week-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t('report.chartTitle')}>
        {[0, 0.5, 1].map((v) => (
          <g key={v}>
            <line x1={30} x2={width - 10} y1={y(v)} y2={y(v)} className="grid" />
            <text x={0} y={y(v) + 4} className="axis">
              {v * 100}%
            </text>
          </g>
        ))}
        {series.map((name) => (
          <g key={name} data-series={name}>
            <polyline
              points={points(name)
                .map((p) => `${x(p.week)},${y(p.value)}`)
                .join(' ')}
              className={`series ${name}`}
              fill="none"
            />
            {points(name).map((p) => (
              <circle
                key={p.week}
                cx={x(p.week)}
                cy={y(p.value)}
                r={name === 'completeness' ? 3.5 : 2}
                className={`dot ${name}`}
              />
            ))}
          </g>
        ))}
        {weeks.map((p) => (
          <text key={p.week} x={x(p.week) - 4} y={height - 4} className="axis">
            {p.week}
          </text>
        ))}
      </svg>
      <figcaption>
        {series.map((name) => (
          <span key={name} className="legend">
            <LegendMark name={name} />
            {t(`report.${name}`)}
          </span>
        ))}
      </figcaption>
      <details className="chart-data">
        <summary>{t('report.chartData')}</summary>
        <table data-testid="week-chart-data">
          <caption className="visually-hidden">{t('report.chartTitle')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('report.week')}</th>
              <th scope="col">{t('report.completeness')}</th>
              <th scope="col">{t('report.timeliness')}</th>
            </tr>
          </thead>
          <tbody>
            {weeks.map((p) => (
              <tr key={p.week}>
                <th scope="row">{p.week}</th>
                <td>{percent(p.completeness)}</td>
                <td>{percent(p.timeliness)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
