// Every role against every loader, action and upload rule of the foundation, as one table.
import type { AppLoadContext } from '@remix-run/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setItemStatus } from '../server/cabinets/items.ts';
import { demoCabinet, principal } from '../tests/helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../tests/helpers/test-server.ts';
import { tusCreate, tusUploadWhole } from '../tests/helpers/tus-requests.ts';
import * as cabinetRoute from './routes/cabinets.$cabinetId.tsx';
import * as fileRoute from './routes/files.$fileId.tsx';
import * as homeRoute from './routes/_index.tsx';

const columns = ['home', 'open', 'cabinet', 'createItem', 'updateItem', 'publish', 'unpublish', 'filePublished', 'fileDraft', 'tusCreate', 'tusHead'] as const;
type Column = (typeof columns)[number];

// The cabinet is `instructor`'s MATH-101, taught to ПМИ-1-24 (student) and ПМИ-2-24з (student16),
// in department 1 (head) of faculty 1 (dean). Statuses: 302 = redirect (to login, or to the cabinet
// after opening it), 401 = no session, 403 = refused, 404 = hidden from this user.
// prettier-ignore
const expected: Record<string, Record<Column, number>> = {
  anonymous:   { home: 302, open: 302, cabinet: 302, createItem: 302, updateItem: 302, publish: 302, unpublish: 302, filePublished: 401, fileDraft: 401, tusCreate: 401, tusHead: 401 },
  instructor:  { home: 200, open: 302, cabinet: 200, createItem: 200, updateItem: 200, publish: 200, unpublish: 200, filePublished: 200, fileDraft: 200, tusCreate: 201, tusHead: 200 },
  instructor2: { home: 200, open: 403, cabinet: 404, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, filePublished: 404, fileDraft: 404, tusCreate: 403, tusHead: 404 },
  instructor5: { home: 200, open: 403, cabinet: 404, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, filePublished: 404, fileDraft: 404, tusCreate: 403, tusHead: 404 },
  student:     { home: 200, open: 403, cabinet: 200, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, filePublished: 200, fileDraft: 404, tusCreate: 403, tusHead: 404 },
  student16:   { home: 200, open: 403, cabinet: 200, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, filePublished: 200, fileDraft: 404, tusCreate: 403, tusHead: 404 },
  student31:   { home: 200, open: 403, cabinet: 404, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, filePublished: 404, fileDraft: 404, tusCreate: 403, tusHead: 404 },
  student46:   { home: 200, open: 403, cabinet: 404, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, filePublished: 404, fileDraft: 404, tusCreate: 403, tusHead: 404 },
  head:        { home: 200, open: 403, cabinet: 200, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, filePublished: 200, fileDraft: 200, tusCreate: 403, tusHead: 404 },
  head2:       { home: 200, open: 403, cabinet: 404, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, filePublished: 404, fileDraft: 404, tusCreate: 403, tusHead: 404 },
  head3:       { home: 200, open: 403, cabinet: 404, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, filePublished: 404, fileDraft: 404, tusCreate: 403, tusHead: 404 },
  dean:        { home: 200, open: 403, cabinet: 200, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, filePublished: 200, fileDraft: 200, tusCreate: 403, tusHead: 404 },
  rector:      { home: 200, open: 403, cabinet: 200, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, filePublished: 200, fileDraft: 200, tusCreate: 403, tusHead: 404 },
  admin:       { home: 200, open: 403, cabinet: 200, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, filePublished: 200, fileDraft: 200, tusCreate: 403, tusHead: 404 },
};

let server: TestServer;
let context: AppLoadContext;
const ids = { cabinet: '', teaching: '', publishedFile: '', draftFile: '', draftItem: '', itemToPublish: '', itemToUnpublish: '', uploadUrl: '', slot: '' };

async function statusOf(run: () => Promise<unknown>): Promise<number> {
  try {
    const result = await run();
    if (result instanceof Response) return result.status;
    const init = (result as { init?: { status?: number } } | null)?.init;
    return init?.status ?? 200;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    throw thrown;
  }
}

const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2000, 7)]);

beforeAll(async () => {
  server = await startTestServer();
  context = { services: server.services, clientIp: '127.0.0.1' };
  const { db } = server.services;
  const cabinet = await demoCabinet(db, 'instructor', 'MATH-101');
  ids.cabinet = cabinet.cabinetId;
  ids.teaching = cabinet.teachingAssignmentId;
  const practicals = cabinet.slots.filter((slot) => slot.kind === 'practical_material');
  ids.slot = practicals[5]!.id;
  const owner = await server.cookieFor('instructor');
  const upload = async (slotId: string) => {
    const { finish } = await tusUploadWhole(server.url, pdf, { cookie: owner, metadata: { cabinetId: ids.cabinet, slotId, filename: 'a.pdf' } });
    const fileId = finish!.headers.get('kabinet-media-file')!;
    const file = await db.selectFrom('media_file').select('item_id').where('id', '=', fileId).executeTakeFirstOrThrow();
    return { fileId, itemId: file.item_id };
  };
  const published = await upload(practicals[0]!.id);
  await setItemStatus(db, { user: await principal(db, 'instructor'), ip: null }, published.itemId, 'published');
  ids.publishedFile = published.fileId;
  const draft = await upload(practicals[1]!.id);
  ids.draftFile = draft.fileId;
  ids.draftItem = draft.itemId;
  ids.itemToPublish = (await upload(practicals[2]!.id)).itemId;
  ids.itemToUnpublish = (await upload(practicals[3]!.id)).itemId;
  await setItemStatus(db, { user: await principal(db, 'instructor'), ip: null }, ids.itemToUnpublish, 'published');
  const inFlight = await tusCreate(server.url, { cookie: owner, length: '5000', metadata: { cabinetId: ids.cabinet, slotId: ids.slot, filename: 'b.pdf' } });
  ids.uploadUrl = new URL(inFlight.headers.get('location')!, server.url).href;
});
afterAll(() => server?.close());

function request(path: string, cookie: string | undefined, form?: Record<string, string>): Request {
  const headers: Record<string, string> = cookie ? { cookie } : {};
  return new Request(`http://kabinet.test${path}`, form ? { method: 'POST', headers, body: new URLSearchParams(form) } : { headers });
}

async function outcomes(account: string): Promise<Record<Column, number>> {
  const cookie = account === 'anonymous' ? undefined : await server.cookieFor(account);
  const params = { cabinetId: ids.cabinet };
  const tusHeaders = { 'Tus-Resumable': '1.0.0', ...(cookie ? { Cookie: cookie } : {}) };
  const run: Record<Column, () => Promise<unknown>> = {
    home: () => homeRoute.loader({ request: request('/', cookie), params: {}, context }),
    open: () => homeRoute.action({ request: request('/', cookie, { teachingAssignmentId: ids.teaching }), params: {}, context }),
    cabinet: () => cabinetRoute.loader({ request: request(`/cabinets/${ids.cabinet}`, cookie), params, context }),
    createItem: () =>
      cabinetRoute.action({ request: request(`/cabinets/${ids.cabinet}`, cookie, { intent: 'create-item', title: `by ${account}` }), params, context }),
    updateItem: () =>
      cabinetRoute.action({ request: request(`/cabinets/${ids.cabinet}`, cookie, { intent: 'update-item', itemId: ids.draftItem, title: `by ${account}` }), params, context }),
    publish: () =>
      cabinetRoute.action({ request: request(`/cabinets/${ids.cabinet}`, cookie, { intent: 'publish', itemId: ids.itemToPublish }), params, context }),
    unpublish: () =>
      cabinetRoute.action({ request: request(`/cabinets/${ids.cabinet}`, cookie, { intent: 'unpublish', itemId: ids.itemToUnpublish }), params, context }),
    filePublished: () => fileRoute.loader({ request: request(`/files/${ids.publishedFile}`, cookie), params: { fileId: ids.publishedFile }, context }),
    fileDraft: () => fileRoute.loader({ request: request(`/files/${ids.draftFile}`, cookie), params: { fileId: ids.draftFile }, context }),
    tusCreate: async () => tusCreate(server.url, { cookie, length: '100', metadata: { cabinetId: ids.cabinet, slotId: ids.slot, filename: 'c.pdf' } }),
    tusHead: async () => fetch(ids.uploadUrl, { method: 'HEAD', headers: tusHeaders }),
  };
  const result = {} as Record<Column, number>;
  for (const column of columns) result[column] = await statusOf(run[column]);
  return result;
}

describe('permission matrix', () => {
  it.each(Object.keys(expected))('%s gets exactly the expected outcome for every loader, action and upload', async (account) => {
    expect(await outcomes(account)).toEqual(expected[account]);
  });
});
