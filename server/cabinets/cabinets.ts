// Cabinets: the current term, teaching assignments, opening a cabinet with its plan, and reading one.
import { sql, type Selectable, type ExpressionBuilder, type Kysely } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import { executePrepared, type Db } from '../../db/client.ts';
import type { CaptionLanguage, Database, FileKind, ItemStatus, Locale, ProcessingState, SlotKind } from '../../db/schema.ts';
import { localName } from '../i18n/names.ts';
import { recordAudit } from '../audit/audit-log.ts';
import { AppError } from '../errors.ts';
import {
  can,
  requirePermission,
  homeSections,
  visibleCabinets,
  type CabinetScope,
  type Principal,
} from '../auth/permissions.ts';
import { queueViews, type InFlight } from '../media/video-queue.ts';
import { dueAtEndOfWeek, planSlots } from './slot-plan.ts';

export type TermInfo = { id: string; academicYear: string; semester: number; startsOn: string; weeks: number; timeZone: string };

/** The university's time zone when no term says otherwise (the terms' default). */
export const defaultTimeZone = 'Asia/Bishkek';

/** The term running now, or the next one starting within 30 days (the `current_term` view's rule). */
export async function currentTerm(db: Db): Promise<TermInfo | null> {
  const row = await db.selectFrom('current_term').selectAll().executeTakeFirst();
  return row ? termInfo(row) : null;
}

export function termInfo(row: Selectable<Database['term']>): TermInfo {
  return { id: row.id, academicYear: row.academic_year, semester: row.semester, startsOn: row.starts_on, weeks: row.weeks, timeZone: row.time_zone };
}

/** A cabinet with what it is: its teaching assignment, subject, department and instructor. */
export function cabinetsWithContext(db: Kysely<Database>) {
  return db
    .selectFrom('cabinet')
    .innerJoin('teaching_assignment as ta', 'ta.id', 'cabinet.teaching_assignment_id')
    .innerJoin('subject', 'subject.id', 'ta.subject_id')
    .innerJoin('department', 'department.id', 'subject.department_id')
    .innerJoin('app_user as instructor', 'instructor.id', 'ta.instructor_id');
}

/** The names of the groups a teaching assignment (`ta`) is taught to, sorted. */
export function groupNames(eb: ExpressionBuilder<Database & { ta: Database['teaching_assignment'] }, 'ta'>) {
  return eb
    .selectFrom('teaching_assignment_group as tag')
    .innerJoin('study_group', 'study_group.id', 'tag.group_id')
    .select(sql<string[]>`array_agg(study_group.name order by study_group.name)`.as('names'))
    .whereRef('tag.teaching_assignment_id', '=', 'ta.id')
    .as('groups');
}

/** The permission module's view of a cabinet, from a row of `cabinetScopeQuery`. */
export function scopeOf(row: { instructorId: string; departmentId: string; facultyId: string; groupIds: string[] | null; teachingEndedAt: Date | null }): CabinetScope {
  return { instructorId: row.instructorId, departmentId: row.departmentId, facultyId: row.facultyId, groupIds: row.groupIds ?? [], teachingEnded: row.teachingEndedAt !== null };
}

/**
 * A cabinet with what the permission module needs (`scopeOf`) and its term's time zone; join what
 * sits in the cabinet to it, so that a thing and its scope come in one query.
 */
export function cabinetScopeQuery(db: Kysely<Database>) {
  return cabinetsWithContext(db)
    .innerJoin('term', 'term.id', 'ta.term_id')
    .select((eb) => [
      'cabinet.id as cabinetId',
      'term.time_zone as timeZone',
      'ta.instructor_id as instructorId',
      'ta.ended_at as teachingEndedAt',
      'subject.department_id as departmentId',
      'department.faculty_id as facultyId',
      eb
        .selectFrom('teaching_assignment_group as tag')
        .select(sql<string[]>`coalesce(array_agg(tag.group_id), '{}')`.as('ids'))
        .whereRef('tag.teaching_assignment_id', '=', 'ta.id')
        .as('groupIds'),
    ]);
}

export async function loadCabinetScope(db: Kysely<Database>, cabinetId: string): Promise<CabinetScope | null> {
  if (!isUuid(cabinetId)) return null;
  const row = await cabinetScopeQuery(db).where('cabinet.id', '=', cabinetId).executeTakeFirst();
  return row ? scopeOf(row) : null;
}

/** An upload in flight with its owner and the scope of its cabinet, in one query. */
export async function uploadScope(db: Kysely<Database>, uploadId: string): Promise<{ ownerId: string; lastActivityAt: Date; cabinet: CabinetScope; forSubmission: boolean } | null> {
  // Asked on every PATCH of an upload: prepared, so the database plans it once per connection.
  const [row] = await executePrepared(
    db,
    cabinetScopeQuery(db)
      .innerJoin('upload', 'upload.cabinet_id', 'cabinet.id')
      .select(['upload.user_id as ownerId', 'upload.last_activity_at as lastActivityAt', 'upload.assignment_id as assignmentId'])
      .where('upload.id', '=', uploadId),
  );
  if (!row) return null;
  return {
    ownerId: row.ownerId,
    lastActivityAt: row.lastActivityAt,
    cabinet: scopeOf(row),
    forSubmission: row.assignmentId !== null,
  };
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

export type TeachingRow = {
  teachingAssignmentId: string;
  subjectCode: string;
  subjectName: string;
  groups: string[];
  cabinetId: string | null;
  /** No longer listed by the registrar: the cabinet stays readable, nothing more. */
  ended: boolean;
};

/** This term's teaching assignments of an instructor, with the cabinet if it is open (ended ones only when they have one). */
export async function listTeaching(db: Db, user: Principal, termId: string, locale: Locale = 'ky'): Promise<TeachingRow[]> {
  if (!homeSections(user).teaching) return [];
  const rows = await db
    .selectFrom('teaching_assignment as ta')
    .innerJoin('subject', 'subject.id', 'ta.subject_id')
    .leftJoin('cabinet', 'cabinet.teaching_assignment_id', 'ta.id')
    .select((eb) => ['ta.id', 'ta.ended_at', 'subject.code', 'subject.name', 'subject.name_ru', 'subject.name_en', 'cabinet.id as cabinetId', groupNames(eb)])
    .where('ta.instructor_id', '=', user.id)
    .where('ta.term_id', '=', termId)
    .where((eb) => eb.or([eb('ta.ended_at', 'is', null), eb('cabinet.id', 'is not', null)]))
    .orderBy('ta.ended_at', (ob) => ob.desc().nullsFirst())
    .orderBy('subject.code')
    .execute();
  return rows.map((row) => ({
    teachingAssignmentId: row.id,
    subjectCode: row.code,
    subjectName: localName(row, locale),
    groups: row.groups ?? [],
    cabinetId: row.cabinetId,
    ended: row.ended_at !== null,
  }));
}

/** Opens the cabinet of a teaching assignment with its plan slots; a second call returns the same cabinet. */
export async function openCabinet(db: Db, user: Principal, teachingAssignmentId: string, ip: string | null = null): Promise<string> {
  if (!isUuid(teachingAssignmentId)) throw new AppError('not_found');
  const assignment = await db
    .selectFrom('teaching_assignment as ta')
    .innerJoin('subject', 'subject.id', 'ta.subject_id')
    .innerJoin('department', 'department.id', 'subject.department_id')
    .innerJoin('term', 'term.id', 'ta.term_id')
    .select([
      'ta.id',
      'ta.instructor_id',
      'ta.ended_at',
      'subject.lecture_hours',
      'subject.practical_hours',
      'department.slot_policy',
      'term.starts_on',
      'term.weeks',
      'term.time_zone',
    ])
    .where('ta.id', '=', teachingAssignmentId)
    .executeTakeFirst();
  if (!assignment) throw new AppError('not_found');
  requirePermission(user, 'cabinet.open', { instructorId: assignment.instructor_id, teachingEnded: assignment.ended_at !== null });

  return db.transaction().execute(async (trx) => {
    const inserted = await trx
      .insertInto('cabinet')
      .values({ teaching_assignment_id: assignment.id })
      .onConflict((oc) => oc.column('teaching_assignment_id').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) {
      // Someone (a double click) opened it first: theirs is the cabinet.
      const existing = await trx.selectFrom('cabinet').select('id').where('teaching_assignment_id', '=', assignment.id).executeTakeFirstOrThrow();
      return existing.id;
    }
    const slots = planSlots({
      lectureHours: assignment.lecture_hours,
      practicalHours: assignment.practical_hours,
      weeks: assignment.weeks,
      policy: assignment.slot_policy,
    });
    if (slots.length > 0) {
      await trx
        .insertInto('slot')
        .values(
          slots.map((slot) => ({
            cabinet_id: inserted.id,
            kind: slot.kind,
            number: slot.number,
            week: slot.week,
            // Due at the end of the week's last day, in the term's time zone.
            due_at: dueAtEndOfWeek(assignment.starts_on, slot.week, assignment.time_zone),
          })),
        )
        .execute();
    }
    await recordAudit(trx, { actorId: user.id, action: 'cabinet.open', objectType: 'cabinet', objectId: inserted.id, ip, data: { slots: slots.length } });
    return inserted.id;
  });
}

export type CabinetListRow = {
  cabinetId: string;
  subjectCode: string;
  subjectName: string;
  instructorName: string;
  departmentName: string;
  requiredSlots: number;
  deliveredSlots: number;
};

/** Cabinets of a term the user may see, by the same rule as `cabinet.view`. */
export async function listVisibleCabinets(db: Db, user: Principal, termId: string, locale: Locale = 'ky'): Promise<CabinetListRow[]> {
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
      eb.selectFrom('slot').select(eb.fn.countAll<string>().as('n')).whereRef('slot.cabinet_id', '=', 'cabinet.id').as('required'),
      // Delivered by the one rule (the `slot_delivery` view, as the reports count).
      eb
        .selectFrom('slot_delivery')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('slot_delivery.cabinet_id', '=', 'cabinet.id')
        .where('slot_delivery.delivered_at', 'is not', null)
        .as('delivered'),
    ])
    .where('ta.term_id', '=', termId)
    .where((eb) =>
      eb.or(
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
      ),
    );
  const rows = await query.orderBy('department.name').orderBy('subject.code').execute();
  return rows.map((row) => ({
    cabinetId: row.id,
    subjectCode: row.code,
    subjectName: localName(row, locale),
    instructorName: row.full_name,
    departmentName: localName({ name: row.departmentName, name_ru: row.departmentNameRu, name_en: row.departmentNameEn }, locale),
    requiredSlots: Number(row.required ?? 0),
    deliveredSlots: Number(row.delivered ?? 0),
  }));
}

export type CabinetFileView = {
  id: string;
  name: string;
  byteSize: number;
  contentType: string;
  fileKind: FileKind;
  processingState: ProcessingState;
  /** 0..1 while processing. */
  processingProgress: number | null;
  /** Why processing failed: a dictionary key and its parameters. */
  failure: { key: string; params: Record<string, string | number> } | null;
  durationSeconds: number | null;
  /** Plays already; more qualities are still being made. */
  improving: boolean;
  /** While it waits for its stage to start: how many jobs come first. */
  ahead: number | null;
  /** While its stage runs: learned from this installation's past lectures and this stage's progress. */
  secondsLeft: number | null;
  captions: CaptionLanguage[];
};
export type CabinetItemView = {
  id: string;
  slotId: string | null;
  title: string;
  description: string;
  status: ItemStatus;
  publishedAt: string | null;
  /** The assignment students answer in this item, if it is one. */
  assignment: { id: string; dueAt: string } | null;
  /** Copied from an earlier term's cabinet. */
  reused: boolean;
  /** The online test students take in this item, if it is one. */
  quiz: { id: string; closesAt: string } | null;
  files: CabinetFileView[];
};
/** delivered: a published item; overdue: due and not delivered; open: not due yet, not delivered. */
export type SlotState = 'delivered' | 'overdue' | 'open';
export type CabinetSlotView = { id: string; kind: SlotKind; number: number; week: number; dueAt: string; title: string | null; state: SlotState };

/** A plan slot's state from its delivery moment (the `slot_delivery` view, which the reports count too). */
export function slotState(dueAt: Date, deliveredAt: Date | null, now: Date): SlotState {
  if (deliveredAt && deliveredAt <= now) return 'delivered';
  return dueAt < now ? 'overdue' : 'open';
}
export type CabinetPage = {
  id: string;
  subjectCode: string;
  subjectName: string;
  instructorName: string;
  groups: string[];
  term: TermInfo;
  canEdit: boolean;
  /** The whole plan with overdue and missing slots, and what was reused: the instructor and the staff above (`progress.view`), not students. */
  seesPlan: boolean;
  slots: CabinetSlotView[];
  items: CabinetItemView[];
};

/** A cabinet's scope (`cabinetScopeQuery`) with what the page's head shows: subject, instructor, term, groups. */
function cabinetHeadQuery(db: Kysely<Database>, cabinetId: string) {
  return cabinetScopeQuery(db)
    .select((eb) => [
      'subject.code',
      'subject.name',
      'subject.name_ru',
      'subject.name_en',
      'instructor.full_name',
      'term.id as termId',
      'term.academic_year',
      'term.semester',
      'term.starts_on',
      'term.weeks',
      groupNames(eb),
    ])
    .where('cabinet.id', '=', cabinetId);
}

/** The plan's slots of a cabinet with their delivery moment (the `slot_delivery` view, which the reports count too). */
function cabinetSlotsQuery(db: Kysely<Database>, cabinetId: string) {
  return db
    .selectFrom('slot')
    .innerJoin('slot_delivery', 'slot_delivery.slot_id', 'slot.id')
    .select(['slot.id', 'slot.kind', 'slot.number', 'slot.week', 'slot.due_at', 'slot.title', 'slot_delivery.delivered_at'])
    .where('slot.cabinet_id', '=', cabinetId)
    .orderBy('slot.week')
    .orderBy('slot.kind')
    .orderBy('slot.number');
}

/**
 * A cabinet's items, each with its files (and their captions), its assignment and its quiz, in one
 * query; only published ones unless `withDrafts`. Nested rows come as JSON: their dates are strings.
 */
function cabinetItemsQuery(db: Kysely<Database>, cabinetId: string, withDrafts: boolean) {
  return db
    .selectFrom('item')
    .select((eb) => [
      'item.id',
      'item.slot_id',
      'item.title',
      'item.description',
      'item.status',
      'item.published_at',
      'item.copied_from_item_id',
      jsonArrayFrom(
        eb
          .selectFrom('media_file')
          .select((files) => [
            'media_file.id',
            'media_file.original_name',
            'media_file.byte_size',
            'media_file.content_type',
            'media_file.file_kind',
            'media_file.processing_state',
            'media_file.processing_progress',
            'media_file.failure_key',
            'media_file.failure_params',
            'media_file.duration_seconds',
            'media_file.hls_complete',
            'media_file.processing_started_at',
            'media_file.ladder_started_at',
            'media_file.ready_at',
            files
              .selectFrom('caption')
              .select(sql<CaptionLanguage[]>`coalesce(array_agg(caption.language order by caption.language), '{}')`.as('languages'))
              .whereRef('caption.media_file_id', '=', 'media_file.id')
              .as('captions'),
          ])
          .whereRef('media_file.item_id', '=', 'item.id')
          .where('media_file.deleted_at', 'is', null)
          .orderBy('media_file.created_at'),
      ).as('files'),
      jsonObjectFrom(eb.selectFrom('assignment').select(['assignment.id', 'assignment.due_at']).whereRef('assignment.item_id', '=', 'item.id')).as('assignment'),
      jsonObjectFrom(eb.selectFrom('quiz').select(['quiz.id', 'quiz.closes_at']).whereRef('quiz.item_id', '=', 'item.id')).as('quiz'),
    ])
    .where('item.cabinet_id', '=', cabinetId)
    .$if(!withDrafts, (q) => q.where('item.status', '=', 'published'))
    .orderBy('item.created_at');
}

/** A timestamp read from a nested (JSON) row: a string there, a Date in a plain column. */
const iso = (value: Date | string) => new Date(value).toISOString();

/**
 * Everything the cabinet page shows, as this user may see it. Three prepared queries (asked on
 * every load of the page, so planned once per connection): the head
 * (with the scope the permission check needs), then the plan and the items side by side.
 */
export async function getCabinetPage(db: Db, user: Principal | null, cabinetId: string, now = new Date(), locale: Locale = 'ky'): Promise<CabinetPage> {
  const [head] = isUuid(cabinetId) ? await executePrepared(db, cabinetHeadQuery(db, cabinetId)) : [];
  if (!head) throw new AppError('not_found');
  const scope = scopeOf(head);
  requirePermission(user, 'cabinet.view', scope);
  const canEdit = can(user, 'cabinet.edit', scope);
  const withDrafts = can(user, 'item.view', { cabinet: scope, status: 'draft' });
  const [slots, items] = await Promise.all([executePrepared(db, cabinetSlotsQuery(db, cabinetId)), executePrepared(db, cabinetItemsQuery(db, cabinetId, withDrafts))]);
  // Lectures still being processed: their place in the queue or their time left (two more queries, only then).
  const inFlight = items.flatMap((item) => item.files.flatMap((file) => inFlightOf(file)));
  const queue = await queueViews(db, inFlight, now);

  return {
    id: cabinetId,
    subjectCode: head.code,
    subjectName: localName(head, locale),
    instructorName: head.full_name,
    groups: head.groups ?? [],
    term: {
      id: head.termId,
      academicYear: head.academic_year,
      semester: head.semester,
      startsOn: head.starts_on,
      weeks: head.weeks,
      timeZone: head.timeZone,
    },
    canEdit,
    seesPlan: can(user, 'progress.view', scope),
    slots: slots.map((slot) => ({
      id: slot.id,
      kind: slot.kind,
      number: slot.number,
      week: slot.week,
      dueAt: slot.due_at.toISOString(),
      title: slot.title,
      state: slotState(slot.due_at, slot.delivered_at, now),
    })),
    items: items.map((item) => ({
      id: item.id,
      slotId: item.slot_id,
      title: item.title,
      description: item.description,
      status: item.status,
      publishedAt: item.published_at?.toISOString() ?? null,
      reused: item.copied_from_item_id !== null,
      assignment: item.assignment ? { id: item.assignment.id, dueAt: iso(item.assignment.due_at) } : null,
      quiz: item.quiz ? { id: item.quiz.id, closesAt: iso(item.quiz.closes_at) } : null,
      files: item.files.map((file) => ({
        id: file.id,
        name: file.original_name,
        byteSize: Number(file.byte_size),
        contentType: file.content_type,
        fileKind: file.file_kind,
        processingState: file.processing_state,
        processingProgress: file.processing_progress,
        failure: file.failure_key ? { key: file.failure_key, params: file.failure_params ?? {} } : null,
        durationSeconds: file.duration_seconds,
        improving: file.processing_state === 'ready' && !file.hls_complete,
        ahead: queue.get(file.id)?.ahead ?? null,
        secondsLeft: queue.get(file.id)?.secondsLeft ?? null,
        // Captions of lectures only (a caption row hangs off a video or audio file).
        captions: file.file_kind === 'video' || file.file_kind === 'audio' ? (file.captions ?? []) : [],
      })),
    })),
  };
}

type ListedFile = {
  id: string;
  processing_state: ProcessingState;
  hls_complete: boolean;
  processing_progress: number | null;
  processing_started_at: Date | string | null;
  ladder_started_at: Date | string | null;
  ready_at: Date | string | null;
  duration_seconds: number | null;
};

/** A lecture whose processing is not over, as the queue views need it; none for the rest. */
function inFlightOf(file: ListedFile): InFlight[] {
  const at = (value: Date | string | null) => (value === null ? null : new Date(value));
  const base = { id: file.id, progress: file.processing_progress, durationSeconds: file.duration_seconds };
  if (file.processing_state === 'awaiting' || file.processing_state === 'processing') {
    return [{ ...base, stage: 'playable', started: file.processing_state === 'processing', startedAt: at(file.processing_started_at) }];
  }
  if (file.processing_state === 'ready' && !file.hls_complete) {
    const ladderStarted = at(file.ladder_started_at);
    const readyAt = at(file.ready_at);
    const started = ladderStarted !== null && (readyAt === null || ladderStarted >= readyAt);
    return [{ ...base, stage: 'ladder', started, startedAt: started ? ladderStarted : null }];
  }
  return [];
}

