// The cabinet page: its head, its plan's slots with their states and its items with their files,
// as the person asking may see them.
import { sql, type InferResult, type Kysely } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import { executePrepared, type Db } from '../../db/client.ts';
import type {
  CaptionLanguage,
  Database,
  FileKind,
  ItemStatus,
  Locale,
  ProcessingState,
  SlotKind,
} from '../../db/schema.ts';
import { can, requirePermission, type Principal } from '../auth/permissions.ts';
import { AppError } from '../errors.ts';
import { localName } from '../i18n/names.ts';
import { inFlightOf, queueViews } from '../media/video-queue.ts';
import { cabinetScopeQuery, groupNames, isUuid, scopeOf } from './scope.ts';
import type { TermInfo } from './term.ts';

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
  /** Files replaced by newer versions, newest replacement first (instructor and staff only). */
  versions: { id: string; name: string; byteSize: number; replacedAt: string }[];
};
/** delivered: a published item; overdue: due and not delivered; open: not due yet, not delivered. */
export type SlotState = 'delivered' | 'overdue' | 'open';
/**
 * Why a slot is overdue, as its instructor can mend it: nothing there; there but not published; a
 * lecture whose recording is not processed yet; a lecture item with no recording at all.
 */
export type OverdueReason = 'missing' | 'not_published' | 'not_processed' | 'no_recording';
export type CabinetSlotView = {
  id: string;
  kind: SlotKind;
  number: number;
  week: number;
  dueAt: string;
  title: string | null;
  state: SlotState;
  /** For an overdue slot, why. */
  reason: OverdueReason | null;
  /** Delivered, but after its due moment. */
  late: boolean;
};

/** A plan slot's state from its delivery moment (the `slot_delivery` view, which the reports count too). */
export function slotState(dueAt: Date, deliveredAt: Date | null, now: Date): SlotState {
  if (deliveredAt && deliveredAt <= now) return 'delivered';
  return dueAt < now ? 'overdue' : 'open';
}

/** Why a slot of this kind with this item (if any) is not delivered (the `slot_delivery` rule, read back). */
export function overdueReason(
  kind: SlotKind,
  item: { status: ItemStatus; files: Pick<CabinetFileView, 'fileKind'>[] } | undefined,
): OverdueReason {
  if (!item) return 'missing';
  if (item.status !== 'published') return 'not_published';
  if (kind !== 'lecture_video') return 'missing';
  const recordings = item.files.filter((file) => file.fileKind === 'video' || file.fileKind === 'audio');
  return recordings.length ? 'not_processed' : 'no_recording';
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
  /** The department's report, for the staff who may read it (the way back from a drill-down). */
  reportLink: string | null;
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
    .select([
      'slot.id',
      'slot.kind',
      'slot.number',
      'slot.week',
      'slot.due_at',
      'slot.title',
      'slot_delivery.delivered_at',
    ])
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
              .select(
                sql<CaptionLanguage[]>`coalesce(array_agg(caption.language order by caption.language), '{}')`.as(
                  'languages',
                ),
              )
              .whereRef('caption.media_file_id', '=', 'media_file.id')
              .as('captions'),
          ])
          .whereRef('media_file.item_id', '=', 'item.id')
          .where('media_file.deleted_at', 'is', null)
          .orderBy('media_file.created_at'),
      ).as('files'),
      // Earlier versions of its files (replaced by a newer upload): the instructor's and the staff's history.
      jsonArrayFrom(
        eb
          .selectFrom('media_file')
          .select(['media_file.id', 'media_file.original_name', 'media_file.byte_size', 'media_file.deleted_at'])
          .whereRef('media_file.item_id', '=', 'item.id')
          .where('media_file.replaced_by_file_id', 'is not', null)
          .$if(!withDrafts, (versions) => versions.where(sql<boolean>`false`))
          .orderBy('media_file.deleted_at', 'desc')
          .limit(50),
      ).as('versions'),
      jsonObjectFrom(
        eb
          .selectFrom('assignment')
          .select(['assignment.id', 'assignment.due_at'])
          .whereRef('assignment.item_id', '=', 'item.id'),
      ).as('assignment'),
      jsonObjectFrom(
        eb.selectFrom('quiz').select(['quiz.id', 'quiz.closes_at']).whereRef('quiz.item_id', '=', 'item.id'),
      ).as('quiz'),
    ])
    .where('item.cabinet_id', '=', cabinetId)
    .where('item.removed_at', 'is', null)
    .$if(!withDrafts, (q) => q.where('item.status', '=', 'published'))
    .orderBy('item.created_at');
}

/** A timestamp read from a nested (JSON) row: a string there, a Date in a plain column. */
const iso = (value: Date | string) => new Date(value).toISOString();

type ItemRow = InferResult<ReturnType<typeof cabinetItemsQuery>>[number];

/** An item as the page shows it, its lectures' place in the queue from `queue`. */
function itemView(item: ItemRow, queue: Awaited<ReturnType<typeof queueViews>>): CabinetItemView {
  return {
    id: item.id,
    slotId: item.slot_id,
    title: item.title,
    description: item.description,
    status: item.status,
    publishedAt: item.published_at?.toISOString() ?? null,
    reused: item.copied_from_item_id !== null,
    assignment: item.assignment ? { id: item.assignment.id, dueAt: iso(item.assignment.due_at) } : null,
    quiz: item.quiz ? { id: item.quiz.id, closesAt: iso(item.quiz.closes_at) } : null,
    versions: item.versions.map((version) => ({
      id: version.id,
      name: version.original_name,
      byteSize: Number(version.byte_size),
      replacedAt: iso(version.deleted_at ?? new Date(0)),
    })),
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
  };
}

/**
 * Everything the cabinet page shows, as this user may see it. Three prepared queries (asked on
 * every load of the page, so planned once per connection): the head
 * (with the scope the permission check needs), then the plan and the items side by side.
 */
export async function getCabinetPage(
  db: Db,
  user: Principal | null,
  cabinetId: string,
  now = new Date(),
  locale: Locale = 'ky',
): Promise<CabinetPage> {
  const [head] = isUuid(cabinetId) ? await executePrepared(db, cabinetHeadQuery(db, cabinetId)) : [];
  if (!head) throw new AppError('not_found');
  const scope = scopeOf(head);
  requirePermission(user, 'cabinet.view', scope);
  const canEdit = can(user, 'cabinet.edit', scope);
  const withDrafts = can(user, 'item.view', { cabinet: scope, status: 'draft' });
  const [slots, items] = await Promise.all([
    executePrepared(db, cabinetSlotsQuery(db, cabinetId)),
    executePrepared(db, cabinetItemsQuery(db, cabinetId, withDrafts)),
  ]);
  // Lectures still being processed: their place in the queue or their time left (two more queries, only then).
  const inFlight = items.flatMap((item) => item.files.flatMap((file) => inFlightOf(file)));
  const queue = await queueViews(db, inFlight, now);

  const itemViews = items.map((item) => itemView(item, queue));
  const itemBySlot = new Map(itemViews.flatMap((item) => (item.slotId ? [[item.slotId, item] as const] : [])));
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
    reportLink: can(user, 'report.view', scope) ? `/reports/departments/${scope.departmentId}` : null,
    slots: slots.map((slot) => {
      const state = slotState(slot.due_at, slot.delivered_at, now);
      return {
        id: slot.id,
        kind: slot.kind,
        number: slot.number,
        week: slot.week,
        dueAt: slot.due_at.toISOString(),
        title: slot.title,
        state,
        reason: state === 'overdue' ? overdueReason(slot.kind, itemBySlot.get(slot.id)) : null,
        late: slot.delivered_at !== null && slot.delivered_at > slot.due_at,
      };
    }),
    items: itemViews,
  };
}
