import { useTranslation } from 'react-i18next';
import type { WeekPoint } from '../../../server/reports/department-page.ts';

/** Completeness and timeliness week by week, as two lines (0–100 %). */
export function WeekChart({ weeks, termWeeks }: { weeks: WeekPoint[]; termWeeks: number }) {
  const { t } = useTranslation();
  const width = 480;
  const height = 160;
  const x = (week: number) => 30 + ((week - 1) / Math.max(1, termWeeks - 1)) * (width - 40);
  const y = (value: number | null) => 10 + (1 - (value ?? 0)) * (height - 30);
  const line = (pick: (p: WeekPoint) => number | null) =>
    weeks
      .filter((p) => pick(p) !== null)
      .map((p) => `${x(p.week)},${y(pick(p))}`)
      .join(' ');
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
        <polyline points={line((p) => p.completeness)} className="series completeness" fill="none" />
        <polyline points={line((p) => p.timeliness)} className="series timeliness" fill="none" />
        {weeks.map((p) => (
          <text key={p.week} x={x(p.week) - 4} y={height - 4} className="axis">
            {p.week}
          </text>
        ))}
      </svg>
      <figcaption>
        <span className="legend completeness">{t('report.completeness')}</span>{' '}
        <span className="legend timeliness">{t('report.timeliness')}</span>
      </figcaption>
    </figure>
  );
}
