// An earlier cabinet's items copied into this one: each into the same slot, with its whole files
// (sharing their stored objects), captions, and assignment or test with dates moved.
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.ts';
import type { CopyResult } from './reuse.ts';

export type Moved = (column: 'due_at' | 'opens_at' | 'closes_at') => RawBuilder<Date>;

/**
 * What an item holds, copied into its copy: its files that are whole (sharing their stored objects
 * and published renditions) with their captions, and its assignment or test with dates moved into
 * the new term. Returns how many files.
 */
async function copyItemContent(trx: Transaction<Database>, copy: ItemCopy): Promise<number> {
  const files = await copyFiles(trx, copy);
  await copyAssignment(trx, copy);
  await copyQuiz(trx, copy);
  return files;
}

type ItemCopy = { from: string; to: string; actorId: string; moved: Moved };

/** The item's whole files and their captions; how many. */
async function copyFiles(trx: Transaction<Database>, { from, to, actorId }: ItemCopy): Promise<number> {
  const files = await sql<{ id: string; old_id: string }>`
      insert into media_file (item_id, upload_id, copied_from_file_id, storage_key, original_name, byte_size, sha256, content_type, file_kind,
        processing_state, hls_prefix, poster_key, duration_seconds, width, height, processing_progress, ready_at, hls_complete, thumbnails_key, created_by)
      select ${to}, null, id, storage_key, original_name, byte_size, sha256, content_type, file_kind,
        processing_state, hls_prefix, poster_key, duration_seconds, width, height, processing_progress, ready_at, hls_complete, thumbnails_key, ${actorId}
      from media_file where item_id = ${from} and deleted_at is null and processing_state in ('none', 'ready')
      order by created_at
      returning id, copied_from_file_id as old_id`.execute(trx);
  if (files.rows.length) {
    await sql`
        insert into caption (media_file_id, language, vtt, created_by)
        select f.id, c.language, c.vtt, ${actorId} from caption c join media_file f on f.copied_from_file_id = c.media_file_id
        where f.item_id = ${to}`.execute(trx);
  }
  return files.rows.length;
}

async function copyAssignment(trx: Transaction<Database>, { from, to, moved }: ItemCopy): Promise<void> {
  await trx
    .insertInto('assignment')
    .columns([
      'item_id',
      'instructions',
      'opens_at',
      'due_at',
      'late_policy',
      'max_score',
      'allowed_extensions',
      'max_files',
      'max_file_bytes',
    ])
    .expression((eb) =>
      eb
        .selectFrom('assignment')
        .select([
          sql.lit(to).as('item_id'),
          'instructions',
          moved('opens_at').as('opens_at'),
          moved('due_at').as('due_at'),
          'late_policy',
          'max_score',
          'allowed_extensions',
          'max_files',
          'max_file_bytes',
        ])
        .where('item_id', '=', from),
    )
    .execute();
}

async function copyQuiz(trx: Transaction<Database>, { from, to, moved }: ItemCopy): Promise<void> {
  await trx
    .insertInto('quiz')
    .columns([
      'item_id',
      'instructions',
      'opens_at',
      'closes_at',
      'time_limit_minutes',
      'attempts_allowed',
      'shuffle_questions',
      'shuffle_answers',
      'draw_count',
      'review_policy',
      'max_score',
    ])
    .expression((eb) =>
      eb
        .selectFrom('quiz')
        .select([
          sql.lit(to).as('item_id'),
          'instructions',
          moved('opens_at').as('opens_at'),
          moved('closes_at').as('closes_at'),
          'time_limit_minutes',
          'attempts_allowed',
          'shuffle_questions',
          'shuffle_answers',
          'draw_count',
          'review_policy',
          'max_score',
        ])
        .where('item_id', '=', from),
    )
    .execute();
}

/** The source's items into the same slots (a slot holding an item keeps it: skipped), with what they hold. */
export async function copyItems(
  trx: Transaction<Database>,
  {
    cabinetId,
    sourceCabinetId,
    actorId,
    moved,
  }: { cabinetId: string; sourceCabinetId: string; actorId: string; moved: Moved },
): Promise<CopyResult> {
  const [items, targetSlots] = await Promise.all([
    trx
      .selectFrom('item')
      .leftJoin('slot', 'slot.id', 'item.slot_id')
      .select(['item.id', 'item.title', 'item.description', 'slot.kind', 'slot.number'])
      .where('item.cabinet_id', '=', sourceCabinetId)
      .where('item.removed_at', 'is', null)
      .orderBy('item.created_at')
      .execute(),
    trx
      .selectFrom('slot')
      .leftJoin('item', 'item.slot_id', 'slot.id')
      .select(['slot.id', 'slot.kind', 'slot.number', 'item.id as itemId'])
      .where('slot.cabinet_id', '=', cabinetId)
      .execute(),
  ]);
  const result: CopyResult = { items: 0, files: 0, questions: 0, skipped: 0 };
  for (const item of items) {
    const slot = item.kind ? targetSlots.find((s) => s.kind === item.kind && s.number === item.number) : undefined;
    if (slot?.itemId) {
      result.skipped += 1;
      continue;
    }
    const copy = await trx
      .insertInto('item')
      .values({
        cabinet_id: cabinetId,
        slot_id: slot?.id ?? null,
        title: item.title,
        description: item.description,
        created_by: actorId,
        copied_from_item_id: item.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    result.items += 1;
    result.files += await copyItemContent(trx, { from: item.id, to: copy.id, actorId: actorId, moved });
  }
  return result;
}
