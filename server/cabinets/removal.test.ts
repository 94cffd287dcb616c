// Undo for instructors through real uploads: a removed file or item is gone for students at once,
// listed as recently removed, restored (an item into its slot, or among the extras when the slot was
// filled meanwhile); a new version keeps the old as history; the audit has each step, the reports
// stay exact; only the cabinet's instructor may do any of it; past the retention, the stored objects
// go unless a copy still uses them.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCabinet, principal } from '../../tests/helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { tusUploadWhole } from '../../tests/helpers/tus-requests.ts';
import { clip } from '../../tests/helpers/course-content.ts';
import { processLecture } from '../../tests/helpers/process-lecture.ts';
import { checkSummaries } from '../reports/consistency.ts';
import { countCabinets } from '../reports/recount.ts';
import { getCabinetPage } from './cabinet-page.ts';
import { fileForDownload, setItemStatus } from './items.ts';
import { purgeRemoved } from './purge-removed.ts';
import { recentlyRemoved, removeFile, removeItem, restoreFile, restoreItem } from './removal.ts';

let server: TestServer;
let cabinet: Awaited<ReturnType<typeof demoCabinet>>;
const db = () => server.services.db;
const day = 24 * 3600 * 1000;
const retention = 30 * day;
const pdf = () => Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(20_000)]);
const practical = (n: number) => cabinet.slots.filter((slot) => slot.kind === 'practical_material')[n - 1]!;
const actor = async (account: string) => ({ user: await principal(db(), account), ip: '10.0.0.9' });

/** A file (a PDF unless given) uploaded through tus into a slot (or, with `itemId`, an item). */
async function upload(
  target: { slotId?: string; itemId?: string; replacesFileId?: string },
  name: string,
  bytes: Buffer = pdf(),
) {
  const { finish } = await tusUploadWhole(server.url, bytes, {
    cookie: await server.cookieFor('instructor'),
    metadata: { cabinetId: cabinet.cabinetId, filename: name, ...target },
  });
  expect(finish?.status).toBe(204);
  const row = await db()
    .selectFrom('media_file')
    .select(['id', 'item_id', 'storage_key'])
    .where('original_name', '=', name)
    .orderBy('created_at', 'desc')
    .executeTakeFirstOrThrow();
  return row;
}

const studentSees = async () => {
  const page = await getCabinetPage(db(), await principal(db(), 'student'), cabinet.cabinetId);
  return page.items.flatMap((item) => item.files.map((file) => file.name));
};
const audit = async (objectId: string) =>
  (await db().selectFrom('audit_event').select('action').where('object_id', '=', objectId).orderBy('id').execute()).map(
    (row) => row.action,
  );
const termId = async () =>
  (
    await db()
      .selectFrom('cabinet')
      .innerJoin('teaching_assignment as ta', 'ta.id', 'cabinet.teaching_assignment_id')
      .select('ta.term_id')
      .where('cabinet.id', '=', cabinet.cabinetId)
      .executeTakeFirstOrThrow()
  ).term_id;
const deliveredPracticals = async () =>
  (await countCabinets(db(), [cabinet.cabinetId], new Date()))[0]!.byKind.practical_material.delivered;

beforeAll(async () => {
  server = await startTestServer();
  cabinet = await demoCabinet(db(), 'instructor', 'MATH-101');
});
afterAll(async () => {
  await server?.close();
});

describe('removing and restoring', () => {
  it('takes a file from students at once and gives it back, in the audit, the reports exact', async () => {
    const file = await upload({ slotId: practical(1).id }, 'Практика 1.pdf');
    const instructor = await actor('instructor');
    await setItemStatus(db(), instructor, file.item_id, 'published');
    expect(await studentSees()).toContain('Практика 1.pdf');

    await removeFile(db(), instructor, file.id);
    expect(await studentSees()).not.toContain('Практика 1.pdf');
    await expect(fileForDownload(db(), await principal(db(), 'student'), file.id)).rejects.toMatchObject({
      code: 'not_found',
    });
    const removed = await recentlyRemoved(db(), instructor.user, cabinet.cabinetId, retention);
    expect(removed.map((entry) => [entry.kind, entry.name])).toEqual([['file', 'Практика 1.pdf']]);

    await restoreFile(server.services, instructor, file.id, retention);
    expect(await studentSees()).toContain('Практика 1.pdf');
    expect(await audit(file.id)).toEqual(['file.upload', 'file.remove', 'file.restore']);
    expect(await checkSummaries(db(), await termId())).toEqual([]);
  });

  it('takes an item out of its slot, which a new upload may fill; restored, it goes among the extras', async () => {
    const first = await upload({ slotId: practical(2).id }, 'Практика 2.pdf');
    const instructor = await actor('instructor');
    await setItemStatus(db(), instructor, first.item_id, 'published');
    const delivered = await deliveredPracticals();

    await removeItem(db(), instructor, first.item_id);
    expect(await studentSees()).not.toContain('Практика 2.pdf');
    expect(await deliveredPracticals()).toBe(delivered - 1);
    // The slot is free: a new upload makes a new item there.
    const second = await upload({ slotId: practical(2).id }, 'Практика 2 (жаңы).pdf');
    expect(second.item_id).not.toBe(first.item_id);

    expect(await restoreItem(db(), instructor, first.item_id, retention)).toEqual({ intoSlot: false });
    const restored = await db()
      .selectFrom('item')
      .selectAll()
      .where('id', '=', first.item_id)
      .executeTakeFirstOrThrow();
    expect({ slot: restored.slot_id, removed: restored.removed_at }).toEqual({ slot: null, removed: null });
    expect(await studentSees()).toContain('Практика 2.pdf');

    // Removed again, and its slot emptied: restored, it goes back into the slot.
    await removeItem(db(), instructor, second.item_id);
    await removeItem(db(), instructor, first.item_id);
    await db()
      .updateTable('item')
      .set({ removed_from_slot_id: practical(2).id })
      .where('id', '=', first.item_id)
      .execute();
    expect(await restoreItem(db(), instructor, first.item_id, retention)).toEqual({ intoSlot: true });
    expect(await deliveredPracticals()).toBe(delivered);
    expect(await audit(first.item_id)).toEqual([
      'item.publish',
      'item.remove',
      'item.restore',
      'item.remove',
      'item.restore',
    ]);
    expect(await checkSummaries(db(), await termId())).toEqual([]);
  });

  it('a restore racing an upload into the same free slot: the slot holds one item, nothing is lost', async () => {
    const instructor = await actor('instructor');
    const slot = practical(4);
    for (let round = 1; round <= 4; round++) {
      const old = await upload({ slotId: slot.id }, `Жарыш ${round}.pdf`);
      await removeItem(db(), instructor, old.item_id);
      // Both at once: the removed item back into its slot, and a new upload that makes the slot's item.
      const [restored, fresh] = await Promise.all([
        restoreItem(db(), instructor, old.item_id, retention),
        upload({ slotId: slot.id }, `Жарыш ${round} (жаңы).pdf`),
      ]);
      const items = await db()
        .selectFrom('item')
        .select(['id', 'slot_id', 'removed_at'])
        .where('id', 'in', [old.item_id, fresh.item_id])
        .execute();
      expect(items.every((item) => item.removed_at === null)).toBe(true);
      const inSlot = items.filter((item) => item.slot_id === slot.id).map((item) => item.id);
      expect(inSlot).toEqual([restored.intoSlot ? old.item_id : fresh.item_id]);
      // Restored first, the upload adds its file to the restored item; else it made the slot's new item.
      expect(fresh.item_id === old.item_id).toBe(restored.intoSlot);
      // The next round starts from a free slot again.
      for (const item of items) await removeItem(db(), instructor, item.id);
    }
    expect(await checkSummaries(db(), await termId())).toEqual([]);
  });

  it('keeps a replaced file as the item’s history, not for students', async () => {
    const old = await upload({ slotId: practical(3).id }, 'Тапшырма v1.pdf');
    const instructor = await actor('instructor');
    await setItemStatus(db(), instructor, old.item_id, 'published');
    const newer = await upload({ itemId: old.item_id, replacesFileId: old.id }, 'Тапшырма v2.pdf');
    expect(await studentSees()).toContain('Тапшырма v2.pdf');
    expect(await studentSees()).not.toContain('Тапшырма v1.pdf');
    const staff = await getCabinetPage(db(), await principal(db(), 'head'), cabinet.cabinetId);
    const item = staff.items.find((candidate) => candidate.id === old.item_id)!;
    expect(item.versions.map((version) => version.name)).toEqual(['Тапшырма v1.pdf']);
    const student = await getCabinetPage(db(), await principal(db(), 'student'), cabinet.cabinetId);
    expect(student.items.find((candidate) => candidate.id === old.item_id)!.versions).toEqual([]);
    expect(await audit(old.id)).toEqual(['file.upload', 'file.replace']);
    // A new version goes only into the file's own item, by the cabinet's instructor.
    const elsewhere = await upload({ slotId: practical(7).id }, 'Башка.pdf');
    for (const [account, itemId] of [
      ['instructor', elsewhere.item_id],
      ['instructor2', old.item_id],
    ] as const) {
      const { create } = await tusUploadWhole(server.url, pdf(), {
        cookie: await server.cookieFor(account),
        metadata: { cabinetId: cabinet.cabinetId, itemId, replacesFileId: newer.id, filename: 'v3.pdf' },
      });
      expect({ account, status: create.status }).toEqual({ account, status: account === 'instructor' ? 404 : 403 });
    }
    // History is not "recently removed": it is not restored over the newer version.
    await expect(restoreFile(server.services, instructor, old.id, retention)).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('is for the cabinet’s instructor only, and not past the retention period', async () => {
    const file = await upload({ slotId: practical(4).id }, 'Практика 4.pdf');
    for (const account of ['instructor2', 'student', 'head']) {
      await expect(removeFile(db(), await actor(account), file.id)).rejects.toMatchObject({ code: 'forbidden' });
      await expect(removeItem(db(), await actor(account), file.item_id)).rejects.toMatchObject({ code: 'forbidden' });
    }
    const instructor = await actor('instructor');
    await expect(restoreFile(server.services, instructor, file.id, retention)).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(removeFile(db(), instructor, 'not-a-uuid')).rejects.toMatchObject({ code: 'not_found' });
    await removeFile(db(), instructor, file.id);
    await expect(removeFile(db(), instructor, file.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(restoreFile(server.services, await actor('instructor2'), file.id, retention)).rejects.toMatchObject({
      code: 'forbidden',
    });
    const later = new Date(Date.now() + retention + day);
    await expect(restoreFile(server.services, instructor, file.id, retention, later)).rejects.toMatchObject({
      code: 'conflict',
      messageKey: 'removal.expired',
    });
    await restoreFile(server.services, instructor, file.id, retention);
  });
});

describe('purging after the retention period', () => {
  it('deletes the stored objects no other row uses, and keeps those a copy still shares', async () => {
    const file = await upload({ slotId: practical(5).id }, 'Практика 5.pdf');
    const instructor = await actor('instructor');
    // A copy in another item (as "copy from a previous term" makes) shares the stored object.
    const extra = await db()
      .insertInto('item')
      .values({ cabinet_id: cabinet.cabinetId, title: 'Көчүрмө', created_by: instructor.user.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`
      insert into media_file (item_id, copied_from_file_id, storage_key, original_name, byte_size, sha256, content_type,
        file_kind, processing_state, created_by)
      select ${extra.id}, id, storage_key, original_name, byte_size, sha256, content_type, file_kind, processing_state, created_by
      from media_file where id = ${file.id}`.execute(db());
    const { storage } = server.services;
    await removeFile(db(), instructor, file.id);
    const later = new Date(Date.now() + retention + day);
    // Within the retention nothing goes.
    expect(await purgeRemoved(server.services, retention)).toEqual({ files: 0, objects: 0 });
    expect((await purgeRemoved(server.services, retention, later)).files).toBeGreaterThanOrEqual(1);
    expect(await storage.size(file.storage_key)).not.toBeNull(); // the copy still uses it
    await removeItem(db(), instructor, extra.id);
    await purgeRemoved(server.services, retention, later);
    expect(await storage.size(file.storage_key)).toBeNull();
    const rows = await db()
      .selectFrom('media_file')
      .select('objects_purged_at')
      .where('storage_key', '=', file.storage_key)
      .execute();
    expect(rows.every((row) => row.objects_purged_at !== null)).toBe(true);
  });

  it('re-plans a slot a removed item remembers; the item then restores among the extras', async () => {
    // An item no upload brought (copied from an earlier term, or an assessment): the re-plan may drop its slot.
    const instructor = await actor('instructor');
    const item = await db()
      .insertInto('item')
      .values({
        cabinet_id: cabinet.cabinetId,
        slot_id: practical(6).id,
        title: 'Көчүрүлгөн',
        created_by: instructor.user.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await removeItem(db(), instructor, item.id);
    // What a department's new slot policy does to a slot with nothing in it.
    await db().deleteFrom('slot').where('id', '=', practical(6).id).execute();
    expect(await restoreItem(db(), instructor, item.id, retention)).toEqual({ intoSlot: false });
  });
});

describe('lectures removed and replaced', () => {
  const lectureSlot = (n: number) => cabinet.slots.filter((slot) => slot.kind === 'lecture_video')[n - 1]!;
  const deliveredLectures = async () =>
    (await countCabinets(db(), [cabinet.cabinetId], new Date()))[0]!.byKind.lecture_video.delivered;

  it('keeps a lecture delivered when a new version replaces it, and queues a restored unprocessed one again', async () => {
    const instructor = await actor('instructor');
    const first = await upload({ slotId: lectureSlot(1).id }, 'Лекция 1.mp4', await clip());
    await processLecture(server.services, first.id);
    await setItemStatus(db(), instructor, first.item_id, 'published');
    const delivered = await deliveredLectures();
    // The new version is not processed yet: the lecture stays delivered from when the first played.
    const second = await upload({ itemId: first.item_id, replacesFileId: first.id }, 'Лекция 1 (v2).mp4', await clip());
    expect(await deliveredLectures()).toBe(delivered);
    // Removed before its processing ran, then restored: it is queued again.
    await removeFile(db(), instructor, second.id);
    expect(await deliveredLectures()).toBe(delivered - 1);
    const jobs = () =>
      sql<{
        n: string;
      }>`select count(*) as n from pgboss.job where name = 'transcode-video' and data->>'mediaFileId' = ${second.id}`
        .execute(db())
        .then((result) => Number(result.rows[0]!.n));
    const before = await jobs();
    await restoreFile(server.services, instructor, second.id, retention);
    expect(await jobs()).toBe(before + 1);
    const term = await termId();
    expect(await checkSummaries(db(), term)).toEqual([]);
  });
});
