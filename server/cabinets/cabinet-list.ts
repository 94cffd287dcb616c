// The cabinets of a term a person may see, with how much of each plan is delivered.
import type { Db } from '../../db/client.ts';
import type { Database, Locale } from '../../db/schema.ts';
import type { ExpressionBuilder } from 'kysely';
import { visibleCabinets, type CabinetFilter, type Principal } from '../auth/permissions.ts';
import { localName } from '../i18n/names.ts';
import { cabinetsWithContext } from './scope.ts';

export type CabinetListRow = {
  cabinetId: string;
  subjectCode: string;
  subjectName: string;
  instructorName: string;
  departmentName: string;
  requiredSlots: number;
  deliveredSlots: number;
};

type ContextBuilder = ExpressionBuilder<
  Database & { ta: Database['teaching_assignment'] },
  'cabinet' | 'ta' | 'subject' | 'department'
>;

/** The permission module's cabinet filters (`visibleCabinets`) as a condition on `cabinetsWithContext`. */
export function whereVisible(eb: ContextBuilder, filters: readonly CabinetFilter[]) {
  return eb.or(
    filters.map((filter) => {
      switch (filter.kind) {
        case 'all':
          return eb.lit(true);
        case 'faculty':
          return eb('department.faculty_id', '=', filter.facultyId);
        case 'department':
          return eb('subject.department_id', '=', filter.departmentId);
        case 'instructor':
          return eb('ta.instructor_id', '=', filter.instructorId);
        case 'groups':
          return eb.exists(
            eb
              .selectFrom('teaching_assignment_group as tag')
              .select('tag.group_id')
              .whereRef('tag.teaching_assignment_id', '=', 'ta.id')
              .where('tag.group_id', 'in', filter.groupIds),
          );
      }
    }),
  );
}

/** Cabinets of a term the user may see, by the same rule as `cabinet.view`. */
export async function listVisibleCabinets(
  db: Db,
  user: Principal,
  termId: string,
  locale: Locale = 'ky',
): Promise<CabinetListRow[]> {
  const filters = visibleCabinets(user);
  if (filters.length === 0) return [];
  const query = cabinetsWithContext(db)
    .select((eb) => [
      'cabinet.id',
      'subject.code',
      'subject.name',
      'subject.name_ru',
      'subject.name_en',
      'instructor.full_name',
      'department.name as departmentName',
      'department.name_ru as departmentNameRu',
      'department.name_en as departmentNameEn',
      eb
        .selectFrom('slot')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('slot.cabinet_id', '=', 'cabinet.id')
        .as('required'),
      // Delivered by the one rule (the `slot_delivery` view, as the reports count).
      eb
        .selectFrom('slot_delivery')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('slot_delivery.cabinet_id', '=', 'cabinet.id')
        .where('slot_delivery.delivered_at', 'is not', null)
        .as('delivered'),
    ])
    .where('ta.term_id', '=', termId)
    .where((eb) => whereVisible(eb, filters));
  const rows = await query.orderBy('department.name').orderBy('subject.code').execute();
  return rows.map((row) => ({
    cabinetId: row.id,
    subjectCode: row.code,
    subjectName: localName(row, locale),
    instructorName: row.full_name,
    departmentName: localName(
      { name: row.departmentName, name_ru: row.departmentNameRu, name_en: row.departmentNameEn },
      locale,
    ),
    requiredSlots: Number(row.required ?? 0),
    deliveredSlots: Number(row.delivered ?? 0),
  }));
}
