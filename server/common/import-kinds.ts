// What the registrar's files hold: the kinds (one sheet or CSV file each), and their canonical
// columns with Russian aliases (each cell parsed by cell-parsers.ts). Pure: no I/O.
import {
  academicYear,
  calendarDate,
  code,
  codeList,
  column,
  email,
  integer,
  name,
  oneOf,
  personRef,
  timeZone,
  type Column,
} from './cell-parsers.ts';

export const importKinds = [
  'faculties',
  'departments',
  'subjects',
  'terms',
  'groups',
  'people',
  'roles',
  'group_members',
  'teaching',
] as const;
export type ImportKind = (typeof importKinds)[number];

const names = {
  name_ky: column(name, ['название_ky', 'наименование_ky', 'название_кыр', 'аталышы']),
  name_ru: column(name, ['название_ru', 'наименование_ru', 'название', 'наименование'], false),
  name_en: column(name, ['название_en', 'наименование_en'], false),
};

export const facultyKinds = ['faculty', 'college'] as const;
export const departmentKinds = ['department', 'commission'] as const;
export const studyForms = ['full_time', 'correspondence', 'distance'] as const;
export const importRoles = ['admin', 'vice_rector', 'dean', 'head', 'instructor'] as const;
export type ImportRole = (typeof importRoles)[number];

/** Every kind's columns, in the order the template shows them; the first `key` columns identify a row. */
export const kindColumns = {
  faculties: {
    code: column(code, ['код', 'код_факультета']),
    ...names,
    kind: column(oneOf(facultyKinds, { факультет: 'faculty', колледж: 'college' }), ['тип', 'вид'], false),
  },
  departments: {
    code: column(code, ['код', 'код_кафедры']),
    faculty_code: column(code, ['код_факультета', 'факультет']),
    ...names,
    kind: column(
      oneOf(departmentKinds, { кафедра: 'department', пцк: 'commission', комиссия: 'commission' }),
      ['тип', 'вид'],
      false,
    ),
  },
  subjects: {
    code: column(code, ['код', 'код_дисциплины', 'шифр']),
    department_code: column(code, ['код_кафедры', 'кафедра']),
    ...names,
    lecture_hours: column(integer(0, 1000), ['лекции', 'лекционные_часы', 'часы_лекций']),
    practical_hours: column(integer(0, 1000), ['практика', 'практические_часы', 'часы_практики']),
    credits: column(integer(0, 60), ['кредиты', 'кредиты_ects']),
  },
  terms: {
    code: column(code, ['код', 'код_семестра']),
    academic_year: column(academicYear, ['учебный_год']),
    semester: column(integer(1, 2), ['семестр']),
    starts_on: column(calendarDate, ['начало', 'дата_начала']),
    weeks: column(integer(1, 30), ['недели', 'недель', 'количество_недель']),
    time_zone: column(timeZone, ['часовой_пояс'], false),
  },
  groups: {
    code: column(code, ['код', 'группа', 'код_группы', 'шифр_группы']),
    faculty_code: column(code, ['код_факультета', 'факультет']),
    study_form: column(
      oneOf(studyForms, {
        очная: 'full_time',
        заочная: 'correspondence',
        дистанционная: 'distance',
        күндүзгү: 'full_time',
        сырттан: 'correspondence',
        аралыктан: 'distance',
      }),
      ['форма_обучения'],
    ),
    intake_year: column(integer(1900, 2200), ['год_набора', 'год_поступления'], false),
  },
  people: {
    external_id: column(code, ['внешний_код', 'идентификатор', 'табельный_номер', 'номер_зачетки'], false),
    email: column(email, ['эл_почта', 'электронная_почта', 'почта', 'e_mail']),
    full_name: column(name, ['фио', 'полное_имя', 'аты_жөнү']),
    language: column(
      oneOf(['ky', 'ru', 'en'] as const, { кыргызча: 'ky', русский: 'ru', english: 'en' }),
      ['язык', 'тил'],
      false,
    ),
    status: column(
      oneOf(['active', 'disabled'] as const, { активен: 'active', отключен: 'disabled' }),
      ['статус'],
      false,
    ),
  },
  roles: {
    person: column(personRef, ['человек', 'сотрудник', 'пользователь']),
    role: column(
      oneOf(importRoles, {
        администратор: 'admin',
        проректор: 'vice_rector',
        декан: 'dean',
        заведующий: 'head',
        преподаватель: 'instructor',
      }),
      ['роль'],
    ),
    scope_code: column(code, ['код_подразделения', 'подразделение'], false),
  },
  group_members: {
    group_code: column(code, ['код_группы', 'группа']),
    person: column(personRef, ['студент', 'человек']),
  },
  teaching: {
    term_code: column(code, ['код_семестра', 'семестр']),
    person: column(personRef, ['преподаватель', 'человек']),
    subject_code: column(code, ['код_дисциплины', 'дисциплина']),
    group_codes: column(codeList, ['группы', 'коды_групп']),
  },
} as const satisfies { [K in ImportKind]: Record<string, Column<unknown>> };

type ValueOf<C> = C extends Column<infer T> ? T : never;
type RowOf<K extends ImportKind> = {
  [F in keyof (typeof kindColumns)[K] as (typeof kindColumns)[K][F] extends { required: true } ? F : never]: ValueOf<
    (typeof kindColumns)[K][F]
  >;
} & {
  [F in keyof (typeof kindColumns)[K] as (typeof kindColumns)[K][F] extends { required: true } ? never : F]: ValueOf<
    (typeof kindColumns)[K][F]
  > | null;
};
/** A checked row of a kind, as the loader writes it (optional columns null when empty). */
export type ImportRow<K extends ImportKind> = RowOf<K>;
