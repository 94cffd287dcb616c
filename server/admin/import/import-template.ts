// The template workbook the admin downloads: a "read me" sheet in their language, then every kind's
// sheet with its canonical columns and one example row (the rows fit together: importing the
// template as it is creates a small university).
import type { Writable } from 'node:stream';
import type { TFunction } from 'i18next';
import type { KindRows } from './export-university.ts';
import { importKinds, kindColumns, type ImportKind } from '../../common/import-kinds.ts';
import { writeWorkbook } from './write-workbook.ts';

const examples: Record<ImportKind, Array<Array<string | number | null>>> = {
  faculties: [
    [
      'FMIT',
      'Математика жана информациялык технологиялар факультети',
      'Факультет математики и информационных технологий',
      'Faculty of Mathematics and IT',
      'faculty',
    ],
  ],
  departments: [
    [
      'AMI',
      'FMIT',
      'Колдонмо математика жана информатика кафедрасы',
      'Кафедра прикладной математики и информатики',
      'Department of Applied Mathematics and Informatics',
      'department',
    ],
  ],
  subjects: [['MATH-101', 'AMI', 'Математикалык анализ', 'Математический анализ', 'Calculus', 32, 32, 5]],
  terms: [['2026-2027-1', '2026-2027', 1, '2026-09-07', 16, 'Asia/Bishkek']],
  groups: [['ПМИ-1-24', 'FMIT', 'full_time', 2024]],
  people: [
    ['T-0001', 'b.asanov@university.kg', 'Асанов Бакыт', 'ky', 'active'],
    ['S-2024-0001', 'a.toktogulova@university.kg', 'Токтогулова Айгерим', 'ru', 'active'],
  ],
  roles: [['T-0001', 'instructor', 'AMI']],
  group_members: [['ПМИ-1-24', 'S-2024-0001']],
  teaching: [['2026-2027-1', 'T-0001', 'MATH-101', 'ПМИ-1-24']],
};

export const templateReadmeLines = 9;

export async function writeTemplate(to: Writable, t: TFunction): Promise<void> {
  const kinds: KindRows[] = importKinds.map((kind) => ({
    kind,
    columns: Object.keys(kindColumns[kind]),
    rows: examples[kind],
  }));
  const lines = Array.from({ length: templateReadmeLines }, (_, i) => t(`import.readme.line${i + 1}`));
  await writeWorkbook(to, kinds, { name: 'readme', lines });
}
