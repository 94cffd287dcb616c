// The structure forms' fields: the import's columns of each kind with the input that edits them.
// Pure, so the page renders the same fields the server checks.
import { departmentKinds, facultyKinds, kindColumns, studyForms, type ImportKind } from './import-kinds.ts';

export const structureKinds = [
  'faculties',
  'departments',
  'subjects',
  'groups',
  'terms',
] as const satisfies readonly ImportKind[];
export type StructureKind = (typeof structureKinds)[number];

export type FieldInput =
  | { type: 'text' | 'number' | 'date' }
  | { type: 'select'; options: readonly string[] }
  /** One of the faculties or departments (by code), from the page's pickers. */
  | { type: 'picker'; picker: 'faculties' | 'departments' };

const inputs: Partial<Record<string, FieldInput>> = {
  kind: { type: 'select', options: [] },
  faculty_code: { type: 'picker', picker: 'faculties' },
  department_code: { type: 'picker', picker: 'departments' },
  lecture_hours: { type: 'number' },
  practical_hours: { type: 'number' },
  credits: { type: 'number' },
  intake_year: { type: 'number' },
  weeks: { type: 'number' },
  semester: { type: 'select', options: ['1', '2'] },
  starts_on: { type: 'date' },
  study_form: { type: 'select', options: studyForms },
};

export type StructureField = { name: string; required: boolean; input: FieldInput };

export function structureFields(kind: StructureKind): StructureField[] {
  const columns = kindColumns[kind] as Record<string, { required: boolean }>;
  return Object.entries(columns).map(([name, column]) => {
    let input = inputs[name] ?? { type: 'text' };
    if (name === 'kind') input = { type: 'select', options: kind === 'faculties' ? facultyKinds : departmentKinds };
    return { name, required: column.required, input };
  });
}
