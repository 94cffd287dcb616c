// Table interfaces for Kysely, one per table of the migrations; the Database type is built from them.
import type { ColumnType, Generated, Selectable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
// pg returns bigint as string; we write numbers.
type BigIntColumn = ColumnType<string, number | bigint | string, number | bigint | string>;

export type FacultyKind = 'faculty' | 'college';
export type Role = 'admin' | 'vice_rector' | 'dean' | 'head' | 'instructor' | 'student';
/** Roles held by assignment; a student is one through group membership. */
export type AssignedRole = Exclude<Role, 'student'>;
export type Locale = 'ky' | 'ru' | 'en';
export type StudyForm = 'full_time' | 'correspondence' | 'distance';
export type SlotKind = 'lecture_video' | 'practical_material' | 'interim_assessment';
export type ItemStatus = 'draft' | 'published';
export type FileKind = 'video' | 'audio' | 'document' | 'image';
export type ProcessingState = 'none' | 'awaiting' | 'processing' | 'ready' | 'failed';

export type SlotPolicy = {
  lectureHoursPerVideo: number;
  practicalHoursPerMaterial: number;
  assessmentWeeks: number[];
};

/** Names in the interface's languages: `name` is the Kyrgyz one (required), the others fall back to it. */
interface Names {
  name: string;
  name_ru: Generated<string | null>;
  name_en: Generated<string | null>;
}
type ArchivedAt = NullableTimestamp;

export interface FacultyTable extends Names {
  id: Generated<string>;
  /** The registrar's code: the key of imports. */
  code: string;
  kind: FacultyKind;
  created_at: CreatedAt;
  archived_at: ArchivedAt;
}

export type DepartmentKind = 'department' | 'commission';
export interface DepartmentTable extends Names {
  id: Generated<string>;
  code: string;
  faculty_id: string;
  kind: Generated<DepartmentKind>;
  slot_policy: ColumnType<SlotPolicy | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
  archived_at: ArchivedAt;
}

export interface UserTable {
  id: Generated<string>;
  email: string;
  /** Null until the person sets a password through a sign-in link. */
  password_hash: string | null;
  full_name: string;
  locale: Generated<Locale>;
  /** The registrar's id of the person: the key of imports. */
  external_id: string | null;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
  disabled_at: NullableTimestamp;
  /** What the people search matches: name, e-mail and external id, lower case (generated). */
  search: ColumnType<string, never, never>;
  notify_email: Generated<NotifyEmail>;
}

export interface RoleAssignmentTable {
  id: Generated<string>;
  user_id: string;
  role: AssignedRole;
  /** The dean's faculty or college. */
  faculty_id: string | null;
  /** The head's or the instructor's department or subject commission. */
  department_id: string | null;
  created_at: CreatedAt;
  ended_at: NullableTimestamp;
}

export interface SubjectTable extends Names {
  id: Generated<string>;
  department_id: string;
  code: string;
  credits: number;
  lecture_hours: number;
  practical_hours: number;
  archived_at: ArchivedAt;
}

export interface TermTable {
  id: Generated<string>;
  code: string;
  academic_year: string;
  semester: 1 | 2;
  starts_on: ColumnType<string, string, string>;
  weeks: number;
  time_zone: Generated<string>;
  archived_at: ArchivedAt;
}

export interface StudyGroupTable {
  id: Generated<string>;
  faculty_id: string;
  /** The registrar's group code. */
  name: string;
  study_form: StudyForm;
  intake_year: number | null;
  archived_at: ArchivedAt;
}

/** Current memberships; ended ones move to `group_student_ended`. */
export interface GroupStudentTable {
  group_id: string;
  student_id: string;
  created_at: CreatedAt;
}

export interface GroupStudentEndedTable {
  group_id: string;
  student_id: string;
  started_at: Timestamp;
  ended_at: CreatedAt;
  ended_by: string | null;
}

export interface TeachingAssignmentTable {
  id: Generated<string>;
  term_id: string;
  instructor_id: string;
  subject_id: string;
  created_at: CreatedAt;
  /** The registrar no longer lists it: the cabinet is read-only and stays in reports. */
  ended_at: NullableTimestamp;
}

export interface SignInLinkTable {
  token_hash: string;
  user_id: string;
  created_by: string | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

/** A single sign-on under way (oidc.ts): found by the hash of the browser's cookie, taken once. */
export interface OidcLoginTable {
  binding_hash: string;
  state: string;
  nonce: string;
  code_verifier: string;
  redirect_to: string;
  ip: string | null;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

/** A person as an identity provider knows them (its issuer and subject). */
export interface ExternalIdentityTable {
  issuer: string;
  subject: string;
  user_id: string;
  created_at: CreatedAt;
  last_used_at: Generated<Date>;
}

export type ImportState = 'previewing' | 'previewed' | 'applying' | 'applied' | 'failed';
export interface ImportRunTable {
  id: Generated<string>;
  created_by: string;
  created_at: CreatedAt;
  file_name: string;
  storage_key: string;
  byte_size: BigIntColumn;
  term_code: string | null;
  sync: Generated<boolean>;
  state: ImportState;
  apply_valid_only: Generated<boolean>;
  /** E-mail the people the import adds a sign-in link when it is applied. */
  invite: Generated<boolean>;
  /** `ImportProgress` (server/admin/import/import-run.ts). */
  progress: ColumnType<unknown, string | undefined, string>;
  /** `ImportReport` (server/admin/import/import-report.ts). */
  report: ColumnType<unknown, string | null | undefined, string | null>;
  failure_key: string | null;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface TeachingAssignmentGroupTable {
  teaching_assignment_id: string;
  group_id: string;
}

export interface CabinetTable {
  id: Generated<string>;
  teaching_assignment_id: string;
  created_at: CreatedAt;
}

export interface SlotTable {
  id: Generated<string>;
  cabinet_id: string;
  kind: SlotKind;
  number: number;
  week: number;
  due_at: Timestamp;
  title: string | null;
}

export interface ItemTable {
  id: Generated<string>;
  cabinet_id: string;
  slot_id: string | null;
  title: string;
  description: Generated<string>;
  status: Generated<ItemStatus>;
  published_at: NullableTimestamp;
  created_by: string;
  request_key: string | null;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  /** Copied from an earlier term's item ("reused"), or null. */
  copied_from_item_id: string | null;
  /** Removed by its instructor: out of its slot (kept in `removed_from_slot_id`) and unseen, restorable until purged. */
  removed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  removed_by: ColumnType<string | null, string | null | undefined, string | null>;
  removed_from_slot_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface MediaFileTable {
  id: Generated<string>;
  item_id: string;
  /** The upload that brought the file, or null for a copy from an earlier cabinet. */
  upload_id: string | null;
  copied_from_file_id: string | null;
  storage_key: string;
  original_name: string;
  byte_size: BigIntColumn;
  sha256: string;
  content_type: string;
  file_kind: FileKind;
  processing_state: ProcessingState;
  hls_prefix: string | null;
  poster_key: string | null;
  duration_seconds: number | null;
  width: number | null;
  height: number | null;
  processing_progress: number | null;
  failure_key: string | null;
  failure_params: ColumnType<Record<string, string | number> | null, string | null | undefined, string | null>;
  ready_at: NullableTimestamp;
  hls_complete: Generated<boolean>;
  thumbnails_key: string | null;
  processing_started_at: NullableTimestamp;
  /** Names of the published renditions (`source`, `240p`, `audio`, …); empty before the playable stage. */
  renditions: Generated<string[]>;
  /** Attempts that failed by the video's own fault; at OWN_FAILURE_LIMIT it fails for good. */
  processing_failures: Generated<number>;
  /** When the rest of the ladder last started, and when the ladder was complete (the estimates learn from both). */
  ladder_started_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  /** Playable while its first rendition is still being encoded: its playlist grows (decision 033). */
  growing: Generated<boolean>;
  created_by: string;
  created_at: CreatedAt;
  /** Removed (or replaced by `replaced_by_file_id`, its newer version), by `deleted_by`: unseen, restorable until purged. */
  deleted_at: NullableTimestamp;
  deleted_by: ColumnType<string | null, string | null | undefined, string | null>;
  replaced_by_file_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the retention job deleted the stored objects (those no other row still uses). */
  objects_purged_at: NullableTimestamp;
}

export interface UploadTable {
  id: string;
  user_id: string;
  cabinet_id: string;
  slot_id: string | null;
  item_id: string | null;
  assignment_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** The file this upload brings a newer version of (kept as history when it finishes), or null. */
  replaces_file_id: ColumnType<string | null, string | null | undefined, string | null>;
  file_name: string;
  file_kind: FileKind;
  declared_size: BigIntColumn;
  created_at: CreatedAt;
  last_activity_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: NullableTimestamp;
  /** The request that may write the upload now (server/http/upload-lease.ts), until `lease_until`. */
  lease_holder: string | null;
  lease_until: NullableTimestamp;
  /** Set by a request waiting for the lease: the holder lets go at its next renewal. */
  lease_wanted_at: NullableTimestamp;
}

export interface SessionTable {
  token_hash: string;
  user_id: string;
  created_at: CreatedAt;
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginThrottleTable {
  /** `pair:<e-mail>|<address>`, `account:<e-mail>` or `address:<address>`. */
  key: string;
  /** Attempts counted (each counts itself before its password is checked; a success takes its own back). */
  failures: number;
  blocked_until: Timestamp;
  updated_at: Generated<Date>;
  /** Failures allowed before delays start, and the longest delay, for this kind of key. */
  free_failures: Generated<number>;
  max_delay_seconds: Generated<number>;
}

export interface AuditEventTable {
  id: Generated<string>;
  at: CreatedAt;
  actor_id: string | null;
  action: string;
  object_type: string;
  object_id: string;
  ip: string | null;
  data: ColumnType<Record<string, unknown>, string | undefined, string>;
}

/** Captions come in the interface's languages. */
export type CaptionLanguage = Locale;

export interface CaptionTable {
  id: Generated<string>;
  media_file_id: string;
  language: CaptionLanguage;
  vtt: string;
  created_by: string;
  created_at: CreatedAt;
}

export interface WatchProgressTable {
  user_id: string;
  media_file_id: string;
  /** A Postgres nummultirange, as text ('{[0,12.5),[30,42)}'). */
  watched: Generated<string>;
  watched_seconds: Generated<number>;
  furthest_seconds: Generated<number>;
  last_position_seconds: Generated<number>;
  completed_at: NullableTimestamp;
  updated_at: Generated<Date>;
}

export type LatePolicy = 'accept_late' | 'refuse';
// pg returns numeric as string; we write numbers.
type NumericColumn = ColumnType<string, number | string, number | string>;

export interface AssignmentTable {
  id: Generated<string>;
  item_id: string;
  instructions: Generated<string>;
  opens_at: NullableTimestamp;
  due_at: Timestamp;
  late_policy: LatePolicy;
  max_score: NumericColumn;
  allowed_extensions: ColumnType<string[], string[] | undefined, string[]>;
  max_files: number;
  max_file_bytes: BigIntColumn;
  created_at: CreatedAt;
  updated_at: Generated<Date>;
}

export interface SubmissionTable {
  id: Generated<string>;
  assignment_id: string;
  student_id: string;
  version: number;
  text: Generated<string>;
  submitted_at: Generated<Date>;
  late: boolean;
}

export interface SubmissionFileTable {
  id: Generated<string>;
  assignment_id: string;
  student_id: string;
  submission_id: string | null;
  upload_id: string;
  storage_key: string;
  original_name: string;
  byte_size: BigIntColumn;
  sha256: string;
  /** CRC-32 of the bytes (for the zip); null for files from before it was kept. */
  crc32: ColumnType<string | null, number | null | undefined, number | null>;
  content_type: string;
  created_at: CreatedAt;
}

export interface GradeTable {
  assignment_id: string;
  student_id: string;
  score: NumericColumn;
  feedback: Generated<string>;
  graded_by: string;
  graded_at: Generated<Date>;
}

export type QuestionKind = 'single' | 'multiple' | 'true_false' | 'short' | 'numeric' | 'matching';
export type QuestionChoice = {
  text: string;
  correct: boolean;
  /** Moodle's percentage (100 right, 50 half, 0 or negative wrong); null: all or nothing by `correct`. */
  weight: number | null;
  /** Shown with this choice in the review. */
  feedback?: string;
};
/** A short answer as Moodle weighs it: `*` in `text` stands for any characters; the first that matches counts. */
export type ShortAnswer = { text: string; weight: number; feedback?: string };
/** A numeric answer: `value` ± `tolerance` (null: any number); the first that matches counts. */
export type NumericAnswer = { value: number | null; tolerance: number; weight: number; feedback?: string };
/** What every kind may have: feedback shown in the review whatever the answer. */
type QuestionCommon = { generalFeedback?: string };
/** A question's answers by kind, as `question.data` and `quiz_attempt.questions` keep them. */
export type QuestionData = QuestionCommon &
  (
    | { kind: 'single' | 'multiple'; choices: QuestionChoice[] }
    | { kind: 'true_false'; answer: boolean; feedbackTrue?: string; feedbackFalse?: string }
    | { kind: 'short'; answers: ShortAnswer[] }
    | { kind: 'numeric'; answers: NumericAnswer[] }
    | { kind: 'matching'; pairs: { left: string; right: string }[]; distractors?: string[] }
  );

export interface QuestionTable {
  id: Generated<string>;
  cabinet_id: string;
  kind: QuestionKind;
  title: string;
  stem: string;
  data: ColumnType<QuestionData, string, string>;
  created_by: string;
  created_at: CreatedAt;
  seq: Generated<string>;
  /** An optional picture shown with the question (media storage key and its checked type). */
  image_key: string | null;
  image_type: string | null;
  copied_from_question_id: string | null;
}

export type ReviewPolicy = 'after_attempt' | 'after_close' | 'never';

export interface QuizTable {
  id: Generated<string>;
  item_id: string;
  instructions: Generated<string>;
  opens_at: Date | null;
  closes_at: Date;
  time_limit_minutes: number | null;
  attempts_allowed: number;
  shuffle_questions: boolean;
  shuffle_answers: boolean;
  draw_count: number | null;
  review_policy: ReviewPolicy;
  max_score: NumericColumn;
  created_at: CreatedAt;
  updated_at: CreatedAt;
}

export interface QuizAttemptTable {
  id: Generated<string>;
  quiz_id: string;
  student_id: string;
  number: number;
  started_at: Generated<Date>;
  deadline_at: Date;
  finished_at: Date | null;
  /** The questions as drawn for this attempt (server/quizzes/attempts.ts `AttemptQuestion[]`). */
  questions: ColumnType<unknown[], string, string>;
  score: NumericColumn | null;
  override_score: NumericColumn | null;
  override_by: string | null;
}

export interface QuizAnswerTable {
  attempt_id: string;
  position: number;
  answer: ColumnType<unknown, string, string>;
  saved_at: Generated<Date>;
  credit: NumericColumn | null;
}

export interface Database {
  faculty: FacultyTable;
  department: DepartmentTable;
  app_user: UserTable;
  role_assignment: RoleAssignmentTable;
  group_student_ended: GroupStudentEndedTable;
  sign_in_link: SignInLinkTable;
  oidc_login: OidcLoginTable;
  external_identity: ExternalIdentityTable;
  import_run: ImportRunTable;
  subject: SubjectTable;
  term: TermTable;
  study_group: StudyGroupTable;
  group_student: GroupStudentTable;
  teaching_assignment: TeachingAssignmentTable;
  teaching_assignment_group: TeachingAssignmentGroupTable;
  cabinet: CabinetTable;
  slot: SlotTable;
  item: ItemTable;
  media_file: MediaFileTable;
  upload: UploadTable;
  session: SessionTable;
  login_throttle: LoginThrottleTable;
  audit_event: AuditEventTable;
  caption: CaptionTable;
  watch_progress: WatchProgressTable;
  assignment: AssignmentTable;
  submission: SubmissionTable;
  submission_file: SubmissionFileTable;
  grade: GradeTable;
  question: QuestionTable;
  quiz: QuizTable;
  quiz_attempt: QuizAttemptTable;
  quiz_answer: QuizAnswerTable;
  cabinet_copy: CabinetCopyTable;
  /** A view: when each slot was delivered (null: not delivered). */
  slot_delivery: SlotDeliveryView;
  slot_fact: SlotFactTable;
  cabinet_current: CabinetCurrentTable;
  department_current: DepartmentCurrentTable;
  department_day: DepartmentDayTable;
  report_dirty: ReportDirtyTable;
  /** The term running now, or the next one starting within 30 days (a view). */
  current_term: TermTable;
  notification: NotificationTable;
  calendar_feed: CalendarFeedTable;
}

export type NotificationKind = 'overdue_reminder' | 'published' | 'deadline' | 'graded';
/** How a person wants notifications e-mailed (when SMTP is configured). */
export type NotifyEmail = 'immediately' | 'daily' | 'never';

export interface NotificationTable {
  id: Generated<string>;
  user_id: string;
  kind: NotificationKind;
  /** What the message is about as it stood (server/notices/notices.ts `NoticeData`; a reminder: `OverdueReminder`). */
  data: ColumnType<unknown, string, string>;
  /** The head who sent a reminder; null for what Kabinet tells on its own. */
  created_by: string | null;
  created_at: CreatedAt;
  read_at: Date | null;
  /** What it is about, once per person (`published:<item>`); null for reminders, which may repeat. */
  about: string | null;
  /** Dealt with by the mailer: sent, or the person wants no e-mail. */
  mailed_at: Date | null;
}

/** A person's private calendar feed: the hash of the token in its address. */
export interface CalendarFeedTable {
  user_id: string;
  token_hash: string;
  /** When the current address was made (a new one replaces it). */
  created_at: Generated<Date>;
}

/** Kept by triggers (migration 2026-11-26T2345): one row per plan slot. */
export interface SlotFactTable {
  slot_id: string;
  cabinet_id: string;
  department_id: string;
  term_id: string;
  /** The term's length in days. */
  days: number;
  kind: SlotKind;
  due_at: Date;
  /** The term day (`report_day`) the moment falls in. */
  due_day: number;
  delivered_at: Date | null;
  delivered_day: number | null;
  on_time: boolean | null;
}

/** Quality signals' parts, summed as they are (a cabinet's, a department's). */
interface QualityParts {
  lecture_seconds: number;
  lectures: number;
  captioned: number;
  watched_sum: number;
  watched_lectures: number;
  reused: number;
  submissions: number;
  graded: number;
  as_of: Date;
}
/** A set of plan slots' counts at a moment (`report_counts`, db/sql/report-rules.sql). */
export type SlotCounts = { required: number; due: number; delivered: number; onTime: number; overdue: number };
export type SlotCountsByKind = Record<SlotKind, SlotCounts>;
/** A slot due and not delivered, as the summaries keep it (`dueAt`: ISO, UTC). */
export type OverdueJson = { kind: SlotKind; number: number; dueAt: string };
/** A cabinet's measures as they stand now (kept by the report refresher, decision 015). */
export interface CabinetCurrentTable extends QualityParts {
  cabinet_id: string;
  department_id: string;
  term_id: string;
  instructor_id: string;
  subject_id: string;
  groups: string[];
  study_forms: StudyForm[];
  /** `report_counts` at `as_of` (db/sql/report-rules.sql). */
  counts: ColumnType<SlotCountsByKind, string, string>;
  /** Due and not delivered at `as_of`, by due time. */
  overdue: ColumnType<OverdueJson[], string, string>;
  valid_until: Date | null;
}
export interface DepartmentCurrentTable extends QualityParts {
  department_id: string;
  term_id: string;
  cabinets: number;
  counts: ColumnType<SlotCountsByKind, string, string>;
  /** The report page's cabinets as JSON text (`CabinetRowJson` in server/reports/department-page.ts). */
  cabinet_rows: string;
  /** Each week's end with its counts as JSON text (`WeekEndJson` there). */
  week_ends: string;
  /** The earliest of its cabinets' `valid_until`. */
  valid_until: Date | null;
}
/** A department's counts at the end of a term day, cumulative; `settled`: due and delivered by then. */
export interface DepartmentDayTable {
  department_id: string;
  term_id: string;
  day: number;
  kind: SlotKind;
  required: number;
  due: number;
  delivered: number;
  on_time: number;
  settled: number;
}
export interface ReportDirtyTable {
  id: Generated<string>;
  cabinet_id: string;
}

export interface SlotDeliveryView {
  slot_id: string;
  cabinet_id: string;
  kind: SlotKind;
  week: number;
  due_at: Date;
  delivered_at: Date | null;
}

export interface CabinetCopyTable {
  target_cabinet_id: string;
  source_cabinet_id: string;
  copied_by: string;
  copied_at: CreatedAt;
  items: number;
  questions: number;
}

export type Subject = Selectable<SubjectTable>;
export type Term = Selectable<TermTable>;
export type Slot = Selectable<SlotTable>;
export type MediaFile = Selectable<MediaFileTable>;
export type Upload = Selectable<UploadTable>;
