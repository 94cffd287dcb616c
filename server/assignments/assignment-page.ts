// An assignment as each person sees it: a student their own work, the instructor every student of
// the groups; and the submitted files, one at a time or all of them at once.
import type { Db } from '../../db/client.ts';
import { can, requirePermission, type Principal } from '../auth/permissions.ts';
import { isUuid } from '../cabinets/scope.ts';
import { AppError } from '../errors.ts';
import { loadAssignment, type AssignmentRules } from './assignments.ts';

export type SubmissionFileView = { id: string; name: string; byteSize: number };
export type SubmissionView = {
  version: number;
  text: string;
  submittedAt: string;
  late: boolean;
  files: SubmissionFileView[];
};
export type RosterRow = {
  studentId: string;
  name: string;
  group: string;
  status: 'not_submitted' | 'submitted' | 'late' | 'graded';
  submittedAt: string | null;
  late: boolean;
  score: number | null;
  feedback: string;
  files: SubmissionFileView[];
  text: string;
};

export type AssignmentPage = {
  rules: Omit<AssignmentRules, 'cabinet' | 'opensAt' | 'dueAt'> & { opensAt: string | null; dueAt: string };
  canSubmit: boolean;
  canGrade: boolean;
  /** The student's own: draft files, every version (latest first), and the grade. */
  mine: {
    drafts: SubmissionFileView[];
    versions: SubmissionView[];
    grade: { score: number; feedback: string } | null;
  } | null;
  /** Staff: every student of the groups with the latest submission and grade. */
  roster: RosterRow[] | null;
};

const fileView = (row: { id: string; original_name: string; byte_size: string }): SubmissionFileView => ({
  id: row.id,
  name: row.original_name,
  byteSize: Number(row.byte_size),
});

/** The files of some students' work on an assignment, drafts and submitted. */
const filesOf = (db: Db, assignmentId: string, studentIds: string[]) =>
  studentIds.length
    ? db
        .selectFrom('submission_file')
        .select(['id', 'original_name', 'byte_size', 'submission_id', 'student_id'])
        .where('assignment_id', '=', assignmentId)
        .where('student_id', 'in', studentIds)
        .orderBy('created_at')
        .execute()
    : Promise.resolve([]);

/** A student's own work: drafts, every version submitted, and the grade. */
async function ownWork(db: Db, assignmentId: string, studentId: string): Promise<NonNullable<AssignmentPage['mine']>> {
  const [mineFiles, versions, grade] = await Promise.all([
    filesOf(db, assignmentId, [studentId]),
    db
      .selectFrom('submission')
      .selectAll()
      .where('assignment_id', '=', assignmentId)
      .where('student_id', '=', studentId)
      .orderBy('version', 'desc')
      .execute(),
    db
      .selectFrom('grade')
      .select(['score', 'feedback'])
      .where('assignment_id', '=', assignmentId)
      .where('student_id', '=', studentId)
      .executeTakeFirst(),
  ]);
  return {
    drafts: mineFiles.filter((f) => f.submission_id === null).map(fileView),
    versions: versions.map((v) => ({
      version: v.version,
      text: v.text,
      submittedAt: v.submitted_at.toISOString(),
      late: v.late,
      files: mineFiles.filter((f) => f.submission_id === v.id).map(fileView),
    })),
    grade: grade ? { score: Number(grade.score), feedback: grade.feedback } : null,
  };
}

/** Every student of the groups with their latest submission and grade. */
function studentsWithLatest(db: Db, assignmentId: string, groupIds: readonly string[]) {
  return db
    .selectFrom('group_student as gs')
    .innerJoin('app_user as u', 'u.id', 'gs.student_id')
    .innerJoin('study_group as g', 'g.id', 'gs.group_id')
    .leftJoin(
      (eb) =>
        eb
          .selectFrom('submission')
          .distinctOn('student_id')
          .selectAll()
          .where('assignment_id', '=', assignmentId)
          .orderBy('student_id')
          .orderBy('version', 'desc')
          .as('latest'),
      (join) => join.onRef('latest.student_id', '=', 'u.id'),
    )
    .leftJoin('grade', (join) =>
      join.onRef('grade.student_id', '=', 'u.id').on('grade.assignment_id', '=', assignmentId),
    )
    .select([
      'u.id',
      'u.full_name',
      'g.name as group_name',
      'latest.id as submission_id',
      'latest.submitted_at',
      'latest.late',
      'latest.text',
      'grade.score',
      'grade.feedback',
    ])
    .where('gs.group_id', 'in', [...groupIds])
    .orderBy('g.name')
    .orderBy('u.full_name')
    .execute();
}

/** Staff: the roster with each student's status, files and grade. */
async function roster(db: Db, assignmentId: string, groupIds: readonly string[]): Promise<RosterRow[]> {
  const students = await studentsWithLatest(db, assignmentId, groupIds);
  const allFiles = await filesOf(
    db,
    assignmentId,
    students.filter((s) => s.submission_id).map((s) => s.id),
  );
  return students.map((s) => ({
    studentId: s.id,
    name: s.full_name,
    group: s.group_name,
    status: s.score !== null ? 'graded' : !s.submission_id ? 'not_submitted' : s.late ? 'late' : 'submitted',
    submittedAt: s.submitted_at?.toISOString() ?? null,
    late: Boolean(s.late),
    score: s.score === null ? null : Number(s.score),
    feedback: s.feedback ?? '',
    files: allFiles.filter((f) => f.submission_id !== null && f.submission_id === s.submission_id).map(fileView),
    text: s.text ?? '',
  }));
}

export async function assignmentPage(db: Db, user: Principal | null, assignmentId: string): Promise<AssignmentPage> {
  const rules = await loadAssignment(db, assignmentId);
  if (!rules) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'item.view', { cabinet: rules.cabinet, status: rules.status });
  const { cabinet, ...shown } = rules;
  const page: AssignmentPage = {
    rules: { ...shown, opensAt: rules.opensAt?.toISOString() ?? null, dueAt: rules.dueAt.toISOString() },
    canSubmit: can(user, 'assignment.submit', { cabinet, status: rules.status }),
    canGrade: can(user, 'submission.grade', cabinet),
    mine: null,
    roster: null,
  };
  // Who sees the cabinet only as a student sees their own work; staff see everyone's.
  if (!can(user, 'progress.view', cabinet)) return { ...page, mine: await ownWork(db, assignmentId, user.id) };
  return { ...page, roster: await roster(db, assignmentId, cabinet.groupIds) };
}

/** A submitted or draft file, for whoever may see that student's work. */
export async function submissionFileForDownload(db: Db, user: Principal | null, fileId: string) {
  if (!isUuid(fileId)) throw new AppError(user ? 'not_found' : 'unauthorized');
  const file = await db.selectFrom('submission_file').selectAll().where('id', '=', fileId).executeTakeFirst();
  const rules = file ? await loadAssignment(db, file.assignment_id) : null;
  if (!file || !rules) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'submission.view', { cabinet: rules.cabinet, studentId: file.student_id });
  // Staff see handed-in work, not a student's unsent drafts.
  if (file.submission_id === null && user.id !== file.student_id) throw new AppError('not_found');
  return file;
}

/** Every student's latest submitted files, for the instructor's "download all" (names grouped by student). */
export async function latestSubmissionFiles(db: Db, user: Principal | null, assignmentId: string) {
  const rules = await loadAssignment(db, assignmentId);
  if (!rules) throw new AppError(user ? 'not_found' : 'unauthorized');
  requirePermission(user, 'submission.grade', rules.cabinet);
  const rows = await db
    .selectFrom('submission_file as f')
    .innerJoin('submission as s', 's.id', 'f.submission_id')
    .innerJoin('app_user as u', 'u.id', 'f.student_id')
    .select([
      'f.id',
      'f.storage_key',
      'f.original_name',
      'f.byte_size',
      'f.crc32',
      'f.created_at',
      'u.full_name',
      's.version',
    ])
    .where('f.assignment_id', '=', assignmentId)
    .where(({ eb, selectFrom }) =>
      eb(
        's.version',
        '=',
        selectFrom('submission as l')
          .select((e) => e.fn.max('l.version').as('v'))
          .whereRef('l.student_id', '=', 's.student_id')
          .where('l.assignment_id', '=', assignmentId),
      ),
    )
    .orderBy('u.full_name')
    .orderBy('f.created_at')
    .execute();
  return { title: rules.title, files: rows };
}
