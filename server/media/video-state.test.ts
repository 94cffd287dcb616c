// The lecture video state machine against a real database: every transition from the states it
// allows, none from the others, and the races a retry click and two attempts can make.
import { describe, expect, it } from 'vitest';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { testDatabaseForFile } from '../../tests/helpers/test-db.ts';
import { createExtraItem } from '../cabinets/items.ts';
import {
  beginProcessing,
  completeLadder,
  countOwnFailure,
  failProcessing,
  publishPlayable,
  retryFailed,
  videoStateOf,
  type PublishedStage,
} from './video-state.ts';

const file = testDatabaseForFile();

async function queuedVideo(): Promise<string> {
  const { cabinetId, user } = await demoCabinet(file.db, 'instructor', 'MATH-101');
  const itemId = await createExtraItem(file.db, { user, ip: null }, cabinetId, { title: 'Лекция', description: '' });
  const row = await file.db
    .insertInto('media_file')
    .values({
      item_id: itemId,
      upload_id: crypto.randomUUID().replaceAll('-', ''),
      storage_key: 'originals/ff/x/original.mp4',
      original_name: 'a.mp4',
      byte_size: 10,
      sha256: '0'.repeat(64),
      content_type: 'video/mp4',
      file_kind: 'video',
      processing_state: 'awaiting',
      created_by: user.id,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const stateOf = async (id: string) =>
  videoStateOf(
    await file.db
      .selectFrom('media_file')
      .select(['processing_state', 'hls_complete'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow(),
  );
const stage = (over: Partial<PublishedStage> = {}): PublishedStage => ({
  prefix: 'hls/ab/x/1',
  renditions: ['240p', 'audio'],
  complete: false,
  posterKey: null,
  thumbnailsKey: null,
  durationSeconds: 60,
  width: 426,
  height: 240,
  ...over,
});

describe('the lecture video state machine', () => {
  it('goes queued → processing → playable → complete; the second attempt to publish first loses', async () => {
    const id = await queuedVideo();
    expect(await stateOf(id)).toBe('queued');
    await beginProcessing(file.db, id);
    expect(await stateOf(id)).toBe('processing');
    expect(await publishPlayable(file.db, id, stage())).toBe(true);
    expect(await publishPlayable(file.db, id, stage({ prefix: 'hls/ab/x/2' }))).toBe(false);
    expect(await stateOf(id)).toBe('playable');
    await beginProcessing(file.db, id); // a later attempt for the ladder: still playable
    expect(await stateOf(id)).toBe('playable');
    await completeLadder(file.db, id, stage({ prefix: 'hls/ab/x/2', renditions: ['720p'] })); // not its prefix: nothing
    expect(await stateOf(id)).toBe('playable');
    await completeLadder(file.db, id, stage({ renditions: ['720p', '480p', '240p', 'audio'], complete: true }));
    expect(await stateOf(id)).toBe('complete');
    const row = await file.db
      .selectFrom('media_file')
      .select(['renditions', 'hls_prefix'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ renditions: ['720p', '480p', '240p', 'audio'], hls_prefix: 'hls/ab/x/1' });
    // Complete is final: neither a failure nor a retry moves it.
    await failProcessing(file.db, id);
    expect(await stateOf(id)).toBe('complete');
    expect(await file.db.transaction().execute((trx) => retryFailed(trx, id))).toBeNull();
  });

  it('fails from any unfinished state, counts its own failures, and a retry goes back to where the published files allow', async () => {
    const queued = await queuedVideo();
    await failProcessing(file.db, queued, 'media.refused.not_media');
    expect(await stateOf(queued)).toBe('failed');
    expect(await file.db.transaction().execute((trx) => retryFailed(trx, queued))).toEqual({
      state: 'queued',
      growing: false,
    });
    expect(await file.db.transaction().execute((trx) => retryFailed(trx, queued))).toBeNull(); // a double click

    const playable = await queuedVideo();
    await beginProcessing(file.db, playable);
    await publishPlayable(file.db, playable, stage());
    expect([await countOwnFailure(file.db, playable), await countOwnFailure(file.db, playable)]).toEqual([1, 2]);
    await failProcessing(file.db, playable);
    expect(await stateOf(playable)).toBe('failed');
    expect(await file.db.transaction().execute((trx) => retryFailed(trx, playable))).toEqual({
      state: 'playable',
      growing: false,
    });
    const row = await file.db
      .selectFrom('media_file')
      .select(['processing_failures', 'failure_key', 'hls_prefix'])
      .where('id', '=', playable)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ processing_failures: 0, failure_key: null, hls_prefix: 'hls/ab/x/1' });
  });
});
