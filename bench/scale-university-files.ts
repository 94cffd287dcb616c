// The `seed:scale` university as the registrar would export it for an import: every kind's rows,
// deterministic, at any fraction of the full size (20 faculties, 150 departments, 3,000 subjects,
// 2,500 instructors, 40,000 students, 1,600 groups, 12,000 teaching assignments at 1). Written as one
// XLSX workbook (server/admin/import/write-workbook.ts) with the same library Kabinet reads it with.
import type { KindRows } from '../server/admin/import/export-university.ts';
import { kindColumns, type ImportKind } from '../server/common/import-kinds.ts';

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export function scaleUniversity(scale = 1): KindRows[] {
  const count = (n: number) => Math.max(1, Math.round(n * scale));
  const faculties = count(20);
  const departments = count(150);
  const subjects = count(3000);
  const groups = count(1600);
  const instructors = count(2500);
  const students = count(40_000);
  const teaching = count(12_000);
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  const columns = (kind: ImportKind) => Object.keys(kindColumns[kind]);
  const faculty = (f: number) => `F${pad(f, 2)}`;
  const department = (d: number) => `D${pad(d, 3)}`;
  const group = (g: number) => `G-${pad(g, 4)}`;
  const instructor = (i: number) => `I${pad(i, 5)}`;
  const departmentOf = (n: number) => ((n - 1) % departments) + 1;
  const facultyOf = (d: number) => ((d - 1) % faculties) + 1;
  const subjectsPerDepartment = Math.max(1, Math.floor(subjects / departments));
  return [
    {
      kind: 'faculties',
      columns: columns('faculties'),
      rows: range(faculties).map((f) => [
        faculty(f),
        `Масштаб факультети ${f}`,
        `Факультет ${f}`,
        `Faculty ${f}`,
        f % 5 === 0 ? 'college' : 'faculty',
      ]),
    },
    {
      kind: 'departments',
      columns: columns('departments'),
      rows: range(departments).map((d) => [
        department(d),
        faculty(facultyOf(d)),
        `Масштаб кафедрасы ${d}`,
        `Кафедра ${d}`,
        `Department ${d}`,
        facultyOf(d) % 5 === 0 ? 'commission' : 'department',
      ]),
    },
    {
      kind: 'subjects',
      columns: columns('subjects'),
      rows: range(subjects).map((s) => [
        `SUB-${pad(s, 4)}`,
        department(departmentOf(s)),
        `Сабак ${s}`,
        `Дисциплина ${s}`,
        null,
        32 + ((s * 7) % 33),
        16 + ((s * 5) % 17),
        4,
      ]),
    },
    {
      kind: 'terms',
      columns: columns('terms'),
      rows: [['2026-2027-1', '2026-2027', 1, '2026-09-07', 16, 'Asia/Bishkek']],
    },
    {
      kind: 'groups',
      columns: columns('groups'),
      rows: range(groups).map((g) => [
        group(g),
        faculty(((g - 1) % faculties) + 1),
        ['full_time', 'correspondence', 'distance'][g % 3]!,
        2023 + (g % 4),
      ]),
    },
    {
      kind: 'people',
      columns: columns('people'),
      rows: [
        ...range(instructors).map((i) => [instructor(i), `i${i}@scale.edu.kg`, `Окутуучу ${i}`, 'ky', 'active']),
        ...range(students).map((n) => [
          `S${pad(n, 6)}`,
          `s${n}@scale.edu.kg`,
          `Студент ${n}`,
          n % 3 === 0 ? 'ru' : 'ky',
          'active',
        ]),
      ],
    },
    {
      kind: 'roles',
      columns: columns('roles'),
      rows: [
        ...range(instructors).map((i) => [instructor(i), 'instructor', department(departmentOf(i))]),
        // Instructor d heads department d; instructor departments + f is the dean of faculty f.
        ...range(Math.min(departments, instructors)).map((d) => [instructor(d), 'head', department(d)]),
        ...range(Math.min(faculties, instructors - departments)).map((f) => [
          instructor(departments + f),
          'dean',
          faculty(f),
        ]),
      ],
    },
    {
      kind: 'group_members',
      columns: columns('group_members'),
      rows: range(students).map((n) => [group(Math.ceil(n / Math.ceil(students / groups))), `S${pad(n, 6)}`]),
    },
    {
      kind: 'teaching',
      columns: columns('teaching'),
      rows: range(teaching).map((k) => {
        const i = ((k - 1) % instructors) + 1;
        // The instructor's k-th subject of their department: a different one for each of their rows.
        const round = Math.floor((k - 1) / instructors) % subjectsPerDepartment;
        const subject = departmentOf(i) + departments * round;
        const first = ((k - 1) % groups) + 1;
        const codes =
          k % 4 === 0 ? `${group(first)} ${group(((first - 1 + Math.floor(groups / 2)) % groups) + 1)}` : group(first);
        return ['2026-2027-1', instructor(i), `SUB-${pad(subject, 4)}`, codes];
      }),
    },
  ];
}
