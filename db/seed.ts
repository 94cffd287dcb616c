// Seeds a demo university into an empty database (idempotent): structure, people, term, teaching.
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Db } from './client.ts';
import { demoDomain, demoName, demoPassword, demoTermCode, demoTermFor } from './demo.ts';
import type { Database, Role, StudyForm } from './schema.ts';

type SeedUser = { key: string; email: string; name: string; role: Role; faculty?: string; department?: string };

/** A demo person's role assignment as the table holds it (students are students by membership). */
function roleRow(userId: string, person: SeedUser) {
  if (person.role === 'student') return [];
  const scoped =
    person.role === 'dean'
      ? { faculty_id: person.faculty ?? null, department_id: null }
      : { faculty_id: null, department_id: person.department ?? null };
  return [
    {
      user_id: userId,
      role: person.role,
      ...(person.role === 'admin' || person.role === 'vice_rector'
        ? { faculty_id: null, department_id: null }
        : scoped),
    },
  ];
}

/** Whether the demo's accounts are in this database (the login page shows their password only then). */
export async function hasDemoAccounts(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('app_user')
    .select('id')
    .where('email', '=', `admin@${demoDomain}`)
    .where('password_hash', 'is not', null)
    .executeTakeFirst();
  return row !== undefined;
}

type Trx = Transaction<Database>;

/** The term running on `today` (16 weeks, Bishkek time), as the demo and the scale benches have it; its id. */
export async function insertRunningTerm(db: Kysely<Database>, today = new Date()): Promise<string> {
  const termInfo = demoTermFor(today);
  const term = await db
    .insertInto('term')
    .values({
      code: demoTermCode(termInfo),
      academic_year: termInfo.academicYear,
      semester: termInfo.semester,
      starts_on: termInfo.startsOn,
      weeks: 16,
      time_zone: 'Asia/Bishkek',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return term.id;
}
type Structure = {
  facultyIds: { faculty: string; college: string };
  dept: [string, string, string];
  facultyOf: Map<string, string>;
};

/** Two faculties (one a college) and three departments (one a subject commission). */
async function seedStructure(trx: Trx): Promise<Structure> {
  const [faculty, college] = await trx
    .insertInto('faculty')
    .values([
      {
        code: 'FMIT',
        name: 'Математика жана информациялык технологиялар факультети',
        name_ru: 'Факультет математики и информационных технологий',
        name_en: 'Faculty of Mathematics and IT',
        kind: 'faculty',
      },
      {
        code: 'MED-COL',
        name: 'Медициналык колледж',
        name_ru: 'Медицинский колледж',
        name_en: 'Medical College',
        kind: 'college',
      },
    ])
    .returning('id')
    .execute();
  const facultyIds = { faculty: faculty!.id, college: college!.id };
  const departments = await trx
    .insertInto('department')
    .values([
      {
        code: 'AMI',
        faculty_id: facultyIds.faculty,
        name: 'Колдонмо математика жана информатика кафедрасы',
        name_ru: 'Кафедра прикладной математики и информатики',
        name_en: 'Department of Applied Mathematics and Informatics',
        kind: 'department',
      },
      {
        code: 'PHYS',
        faculty_id: facultyIds.faculty,
        name: 'Физика кафедрасы',
        name_ru: 'Кафедра физики',
        name_en: 'Department of Physics',
        kind: 'department',
      },
      {
        code: 'GEN-PCK',
        faculty_id: facultyIds.college,
        name: 'Жалпы билим берүүчү сабактар ПЦК',
        name_ru: 'ПЦК общеобразовательных дисциплин',
        name_en: 'General Subjects Commission',
        kind: 'commission',
      },
    ])
    .returning(['id', 'faculty_id'])
    .execute();
  return {
    facultyIds,
    dept: departments.map((d) => d.id) as [string, string, string],
    facultyOf: new Map(departments.map((d) => [d.id, d.faculty_id])),
  };
}

/** The staff with their roles and 60 students, all with the demo's password. Returns each account's id by key. */
async function seedPeople(trx: Trx, { facultyIds, dept, facultyOf }: Structure, passwordHash: string) {
  const email = (local: string) => `${local}@${demoDomain}`;
  let n = 0;
  const person = (key: string, role: Role, department?: string, faculty?: string): SeedUser => ({
    key,
    email: email(key),
    name: demoName(n++),
    role,
    department,
    faculty: faculty ?? (department ? facultyOf.get(department) : undefined),
  });
  const staff: SeedUser[] = [
    person('admin', 'admin'),
    person('rector', 'vice_rector'),
    person('dean', 'dean', undefined, facultyIds.faculty),
    person('head', 'head', dept[0]),
    person('head2', 'head', dept[1]),
    person('head3', 'head', dept[2]),
    person('instructor', 'instructor', dept[0]),
    person('instructor2', 'instructor', dept[0]),
    person('instructor3', 'instructor', dept[1]),
    person('instructor4', 'instructor', dept[1]),
    person('instructor5', 'instructor', dept[2]),
    person('instructor6', 'instructor', dept[2]),
  ];
  const students = Array.from({ length: 60 }, (_, i) => person(i === 0 ? 'student' : `student${i + 1}`, 'student'));
  const users = await trx
    .insertInto('app_user')
    .values([...staff, ...students].map((u) => ({ email: u.email, password_hash: passwordHash, full_name: u.name })))
    .returning(['id', 'email'])
    .execute();
  const userId = (key: string) => users.find((u) => u.email === email(key))!.id;
  await trx
    .insertInto('role_assignment')
    .values(staff.flatMap((member) => roleRow(userId(member.key), member)))
    .execute();
  return { userId, studentIds: students.map((student) => userId(student.key)) };
}

const demoSubjects: Array<{
  department: 0 | 1 | 2;
  code: string;
  name: string;
  credits: number;
  lecture: number;
  practical: number;
}> = [
  { department: 0, code: 'MATH-101', name: 'Математикалык анализ', credits: 5, lecture: 32, practical: 32 },
  { department: 0, code: 'CS-102', name: 'Программалоонун негиздери', credits: 4, lecture: 16, practical: 32 },
  { department: 0, code: 'CS-201', name: 'Маалыматтар базасы', credits: 4, lecture: 16, practical: 16 },
  {
    department: 0,
    code: 'CS-202',
    name: 'Алгоритмдер жана маалымат структуралары',
    credits: 5,
    lecture: 32,
    practical: 16,
  },
  { department: 1, code: 'PHY-101', name: 'Жалпы физика', credits: 5, lecture: 32, practical: 16 },
  { department: 1, code: 'PHY-201', name: 'Электр жана магнетизм', credits: 4, lecture: 16, practical: 16 },
  { department: 1, code: 'PHY-301', name: 'Кванттык механика', credits: 4, lecture: 24, practical: 8 },
  { department: 2, code: 'KYR-101', name: 'Кыргыз тили', credits: 3, lecture: 8, practical: 32 },
  { department: 2, code: 'ENG-101', name: 'Англис тили', credits: 3, lecture: 0, practical: 32 },
  { department: 2, code: 'INF-101', name: 'Информатика', credits: 3, lecture: 16, practical: 16 },
];

/** Who teaches what to which groups this term. */
const demoTeaching: Array<[string, string, string[]]> = [
  ['instructor', 'MATH-101', ['ПМИ-1-24', 'ПМИ-2-24з']],
  ['instructor', 'CS-102', ['ПМИ-1-24']],
  ['instructor2', 'CS-201', ['ПМИ-1-24', 'ПМИ-2-24з']],
  ['instructor2', 'CS-202', ['ПМИ-2-24з']],
  ['instructor3', 'PHY-101', ['ФИЗ-1-24д', 'ПМИ-1-24']],
  ['instructor4', 'PHY-201', ['ФИЗ-1-24д']],
  ['instructor4', 'PHY-301', ['ФИЗ-1-24д']],
  ['instructor5', 'KYR-101', ['КОЛ-1-25']],
  ['instructor6', 'ENG-101', ['КОЛ-1-25']],
  ['instructor6', 'INF-101', ['КОЛ-1-25']],
];

/** Four groups of 15 students, one per study form and one of the college. Returns each group's id by name. */
async function seedGroups(trx: Trx, { facultyIds }: Structure, studentIds: string[]) {
  const groupSpecs: Array<{ name: string; form: StudyForm; faculty: string; intake: number }> = [
    { name: 'ПМИ-1-24', form: 'full_time', faculty: facultyIds.faculty, intake: 2024 },
    { name: 'ПМИ-2-24з', form: 'correspondence', faculty: facultyIds.faculty, intake: 2024 },
    { name: 'ФИЗ-1-24д', form: 'distance', faculty: facultyIds.faculty, intake: 2024 },
    { name: 'КОЛ-1-25', form: 'full_time', faculty: facultyIds.college, intake: 2025 },
  ];
  const groups = await trx
    .insertInto('study_group')
    .values(groupSpecs.map((g) => ({ name: g.name, study_form: g.form, faculty_id: g.faculty, intake_year: g.intake })))
    .returning(['id', 'name'])
    .execute();
  // Students 1–15 study in the first group, 16–30 in the second, and so on.
  await trx
    .insertInto('group_student')
    .values(studentIds.map((id, i) => ({ group_id: groups[Math.floor(i / 15)]!.id, student_id: id })))
    .execute();
  return (name: string) => groups.find((g) => g.name === name)!.id;
}

/** The subjects, the running term and its teaching assignments. */
async function seedTeaching(
  trx: Trx,
  { dept }: Structure,
  today: Date,
  userId: (key: string) => string,
  groupId: (name: string) => string,
): Promise<void> {
  const subjects = await trx
    .insertInto('subject')
    .values(
      demoSubjects.map((s) => ({
        department_id: dept[s.department],
        code: s.code,
        name: s.name,
        credits: s.credits,
        lecture_hours: s.lecture,
        practical_hours: s.practical,
      })),
    )
    .returning(['id', 'code'])
    .execute();
  const subjectId = (code: string) => subjects.find((s) => s.code === code)!.id;
  const term = { id: await insertRunningTerm(trx, today) };
  for (const [instructor, code, groupNames] of demoTeaching) {
    const assignment = await trx
      .insertInto('teaching_assignment')
      .values({ term_id: term.id, instructor_id: userId(instructor), subject_id: subjectId(code) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('teaching_assignment_group')
      .values(groupNames.map((name) => ({ teaching_assignment_id: assignment.id, group_id: groupId(name) })))
      .execute();
  }
}

/** Returns false when the database already holds a university (nothing is changed then). */
export async function seedDemo(
  db: Db,
  hashPassword: (password: string) => Promise<string>,
  today = new Date(),
): Promise<boolean> {
  const existing = await db.selectFrom('faculty').select('id').limit(1).executeTakeFirst();
  if (existing) return false;
  // One hash for every demo account: the password is public anyway, and scrypt is slow on purpose.
  const passwordHash = await hashPassword(demoPassword);
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(72017)`.execute(trx);
    if (await trx.selectFrom('faculty').select('id').limit(1).executeTakeFirst()) return false;
    const structure = await seedStructure(trx);
    const { userId, studentIds } = await seedPeople(trx, structure, passwordHash);
    const groupId = await seedGroups(trx, structure, studentIds);
    await seedTeaching(trx, structure, today, userId, groupId);
    return true;
  });
}
