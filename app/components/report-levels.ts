// How the reports show a share: a percentage, and a colour class by the one rule (`levelOf`) the
// exports use too.
import { levelOf } from '../../server/common/report-measures.ts';

export const percent = (value: number | null) => (value === null ? '—' : `${Math.round(value * 100)}%`);
export const levelClass = (value: number | null) => `level ${levelOf(value)}`;
