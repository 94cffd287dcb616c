// How the reports show a share: a percentage, and a colour class by the one rule (`levelOf`) the
// exports use too.
import { formatPercent } from '../../server/common/format.ts';
import { levelOf } from '../../server/common/report-measures.ts';

export const percent = formatPercent;
export const levelClass = (value: number | null) => `level ${levelOf(value)}`;
