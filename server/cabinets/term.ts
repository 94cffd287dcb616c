// The term: which one runs now (the `current_term` view's rule) and its shape.
import type { Selectable } from 'kysely';
import type { Db } from '../../db/client.ts';
import type { Database } from '../../db/schema.ts';

export type TermInfo = {
  id: string;
  academicYear: string;
  semester: number;
  startsOn: string;
  weeks: number;
  timeZone: string;
};

/** The university's time zone when no term says otherwise (the terms' default). */
export const defaultTimeZone = 'Asia/Bishkek';

/** The term running now, or the next one starting within 30 days (the `current_term` view's rule). */
export async function currentTerm(db: Db): Promise<TermInfo | null> {
  const row = await db.selectFrom('current_term').selectAll().executeTakeFirst();
  return row ? termInfo(row) : null;
}

export function termInfo(row: Selectable<Database['term']>): TermInfo {
  return {
    id: row.id,
    academicYear: row.academic_year,
    semester: row.semester,
    startsOn: row.starts_on,
    weeks: row.weeks,
    timeZone: row.time_zone,
  };
}
