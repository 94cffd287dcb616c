// Every role against every loader, action and upload rule of the foundation, as one table.
import type { AppLoadContext } from '@remix-run/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setItemStatus } from '../server/cabinets/items.ts';
import type { Insertable } from 'kysely';
import type { Db } from '../db/client.ts';
import type { RoleAssignmentTable } from '../db/schema.ts';
import { openCabinet } from '../server/cabinets/teaching.ts';
import { currentTerm } from '../server/cabinets/term.ts';
import { demoCabinet, demoScopeOf, principal } from '../tests/helpers/demo-cabinet.ts';
import { routeRequest } from '../tests/helpers/route-calls.ts';
import { startTestServer, type TestServer } from '../tests/helpers/test-server.ts';
import { tusCreate, tusUploadWhole } from '../tests/helpers/tus-requests.ts';
import * as cabinetRoute from './routes/cabinets.$cabinetId.tsx';
import * as fileRoute from './routes/files.$fileId.tsx';
import * as homeRoute from './routes/_index.tsx';
import * as reportRoute from './routes/reports.departments.$departmentId.tsx';

const columns = [
  'home',
  'open',
  'cabinet',
  'createItem',
  'updateItem',
  'publish',
  'unpublish',
  'removeFile',
  'filePublished',
  'fileDraft',
  'tusCreate',
  'tusHead',
  'headTeacherCabinet',
  'headTeacherCreateItem',
  'deanTeacherCabinet',
  'deanTeacherCreateItem',
  'departmentReport',
] as const;
type Column = (typeof columns)[number];

// The cabinet is `instructor`'s MATH-101, taught to ПМИ-1-24 (student) and ПМИ-2-24з (student16),
// in department 1 (head) of faculty 1 (dean). Two more people hold several roles: `headteacher`
// heads department 1 and teaches CS-202 there to ПМИ-1-24; `deanteacher` is the dean of faculty 1
// and teaches PHY-301 in department 2 (physics) to ФИЗ-1-24д (student31). The last five columns
// are their cabinets and department 1's report. Statuses: 302 = redirect (to login, or to the
// cabinet after opening it), 401 = no session, 403 = refused, 404 = hidden from this user.
// prettier-ignore
const expected: Record<string, Record<Column, number>> = {
  anonymous:   { home: 302, open: 302, cabinet: 302, createItem: 302, updateItem: 302, publish: 302, unpublish: 302, removeFile: 302, filePublished: 401, fileDraft: 401, tusCreate: 401, tusHead: 401, headTeacherCabinet: 302, headTeacherCreateItem: 302, deanTeacherCabinet: 302, deanTeacherCreateItem: 302, departmentReport: 302 },
  instructor:  { home: 200, open: 302, cabinet: 200, createItem: 200, updateItem: 200, publish: 200, unpublish: 200, removeFile: 200, filePublished: 200, fileDraft: 200, tusCreate: 201, tusHead: 200, headTeacherCabinet: 404, headTeacherCreateItem: 403, deanTeacherCabinet: 404, deanTeacherCreateItem: 403, departmentReport: 403 },
  instructor2: { home: 200, open: 403, cabinet: 404, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, removeFile: 403, filePublished: 404, fileDraft: 404, tusCreate: 403, tusHead: 404, headTeacherCabinet: 404, headTeacherCreateItem: 403, deanTeacherCabinet: 404, deanTeacherCreateItem: 403, departmentReport: 403 },
  instructor5: { home: 200, open: 403, cabinet: 404, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, removeFile: 403, filePublished: 404, fileDraft: 404, tusCreate: 403, tusHead: 404, headTeacherCabinet: 404, headTeacherCreateItem: 403, deanTeacherCabinet: 404, deanTeacherCreateItem: 403, departmentReport: 403 },
  student:     { home: 200, open: 403, cabinet: 200, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, removeFile: 403, filePublished: 200, fileDraft: 404, tusCreate: 403, tusHead: 404, headTeacherCabinet: 200, headTeacherCreateItem: 403, deanTeacherCabinet: 404, deanTeacherCreateItem: 403, departmentReport: 403 },
  student16:   { home: 200, open: 403, cabinet: 200, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, removeFile: 403, filePublished: 200, fileDraft: 404, tusCreate: 403, tusHead: 404, headTeacherCabinet: 404, headTeacherCreateItem: 403, deanTeacherCabinet: 404, deanTeacherCreateItem: 403, departmentReport: 403 },
  student31:   { home: 200, open: 403, cabinet: 404, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, removeFile: 403, filePublished: 404, fileDraft: 404, tusCreate: 403, tusHead: 404, headTeacherCabinet: 404, headTeacherCreateItem: 403, deanTeacherCabinet: 200, deanTeacherCreateItem: 403, departmentReport: 403 },
  student46:   { home: 200, open: 403, cabinet: 404, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, removeFile: 403, filePublished: 404, fileDraft: 404, tusCreate: 403, tusHead: 404, headTeacherCabinet: 404, headTeacherCreateItem: 403, deanTeacherCabinet: 404, deanTeacherCreateItem: 403, departmentReport: 403 },
  head:        { home: 200, open: 403, cabinet: 200, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, removeFile: 403, filePublished: 200, fileDraft: 200, tusCreate: 403, tusHead: 404, headTeacherCabinet: 200, headTeacherCreateItem: 403, deanTeacherCabinet: 404, deanTeacherCreateItem: 403, departmentReport: 200 },
  head2:       { home: 200, open: 403, cabinet: 404, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, removeFile: 403, filePublished: 404, fileDraft: 404, tusCreate: 403, tusHead: 404, headTeacherCabinet: 404, headTeacherCreateItem: 403, deanTeacherCabinet: 200, deanTeacherCreateItem: 403, departmentReport: 403 },
  head3:       { home: 200, open: 403, cabinet: 404, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, removeFile: 403, filePublished: 404, fileDraft: 404, tusCreate: 403, tusHead: 404, headTeacherCabinet: 404, headTeacherCreateItem: 403, deanTeacherCabinet: 404, deanTeacherCreateItem: 403, departmentReport: 403 },
  dean:        { home: 200, open: 403, cabinet: 200, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, removeFile: 403, filePublished: 200, fileDraft: 200, tusCreate: 403, tusHead: 404, headTeacherCabinet: 200, headTeacherCreateItem: 403, deanTeacherCabinet: 200, deanTeacherCreateItem: 403, departmentReport: 200 },
  rector:      { home: 200, open: 403, cabinet: 200, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, removeFile: 403, filePublished: 200, fileDraft: 200, tusCreate: 403, tusHead: 404, headTeacherCabinet: 200, headTeacherCreateItem: 403, deanTeacherCabinet: 200, deanTeacherCreateItem: 403, departmentReport: 200 },
  admin:       { home: 200, open: 403, cabinet: 200, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, removeFile: 403, filePublished: 200, fileDraft: 200, tusCreate: 403, tusHead: 404, headTeacherCabinet: 200, headTeacherCreateItem: 403, deanTeacherCabinet: 200, deanTeacherCreateItem: 403, departmentReport: 200 },
  headteacher: { home: 200, open: 403, cabinet: 200, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, removeFile: 403, filePublished: 200, fileDraft: 200, tusCreate: 403, tusHead: 404, headTeacherCabinet: 200, headTeacherCreateItem: 200, deanTeacherCabinet: 404, deanTeacherCreateItem: 403, departmentReport: 200 },
  deanteacher: { home: 200, open: 403, cabinet: 200, createItem: 403, updateItem: 403, publish: 403, unpublish: 403, removeFile: 403, filePublished: 200, fileDraft: 200, tusCreate: 403, tusHead: 404, headTeacherCabinet: 200, headTeacherCreateItem: 403, deanTeacherCabinet: 200, deanTeacherCreateItem: 200, departmentReport: 200 },
};

let server: TestServer;
let context: AppLoadContext;
const ids = {
  cabinet: '',
  teaching: '',
  publishedFile: '',
  draftFile: '',
  draftItem: '',
  itemToPublish: '',
  itemToUnpublish: '',
  uploadUrl: '',
  slot: '',
  headTeacherCabinet: '',
  deanTeacherCabinet: '',
  department: '',
};

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
    const { finish } = await tusUploadWhole(server.url, pdf, {
      cookie: owner,
      metadata: { cabinetId: ids.cabinet, slotId, filename: 'a.pdf' },
    });
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
  const inFlight = await tusCreate(server.url, {
    cookie: owner,
    length: '5000',
    metadata: { cabinetId: ids.cabinet, slotId: ids.slot, filename: 'b.pdf' },
  });
  ids.uploadUrl = new URL(inFlight.headers.get('location')!, server.url).href;
  const department = await demoScopeOf(db, 'head');
  const faculty = await demoScopeOf(db, 'dean');
  const physics = await demoScopeOf(db, 'head2');
  ids.department = department.departmentId!;
  ids.headTeacherCabinet = await teacherWithAnotherRole(
    db,
    'headteacher',
    { role: 'head', faculty_id: null, department_id: department.departmentId },
    department.departmentId!,
    'CS-202',
    'ПМИ-1-24',
  );
  ids.deanTeacherCabinet = await teacherWithAnotherRole(
    db,
    'deanteacher',
    { role: 'dean', faculty_id: faculty.facultyId, department_id: null },
    physics.departmentId!,
    'PHY-301',
    'ФИЗ-1-24д',
  );
});

/** A person who holds `other` and also teaches `subjectCode` to `group` in `departmentId`: returns their opened cabinet. */
async function teacherWithAnotherRole(
  db: Db,
  account: string,
  other: Omit<Insertable<RoleAssignmentTable>, 'user_id'>,
  departmentId: string,
  subjectCode: string,
  group: string,
): Promise<string> {
  const user = await db
    .insertInto('app_user')
    .values({ email: `${account}@demo.kabinet.kg`, full_name: account, password_hash: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('role_assignment')
    .values([
      { user_id: user.id, ...other },
      { user_id: user.id, role: 'instructor', department_id: departmentId },
    ])
    .execute();
  const term = await currentTerm(db);
  const subject = await db.selectFrom('subject').select('id').where('code', '=', subjectCode).executeTakeFirstOrThrow();
  const teaching = await db
    .insertInto('teaching_assignment')
    .values({ term_id: term!.id, instructor_id: user.id, subject_id: subject.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  const groupRow = await db.selectFrom('study_group').select('id').where('name', '=', group).executeTakeFirstOrThrow();
  await db
    .insertInto('teaching_assignment_group')
    .values({ teaching_assignment_id: teaching.id, group_id: groupRow.id })
    .execute();
  return openCabinet(db, await principal(db, account), teaching.id);
}
afterAll(() => server?.close());

async function outcomes(account: string): Promise<Record<Column, number>> {
  const cookie = account === 'anonymous' ? undefined : await server.cookieFor(account);
  const params = { cabinetId: ids.cabinet };
  const tusHeaders = { 'Tus-Resumable': '1.0.0', ...(cookie ? { Cookie: cookie } : {}) };
  const run: Record<Column, () => Promise<unknown>> = {
    home: () => homeRoute.loader({ request: routeRequest('/', cookie), params: {}, context }),
    open: () =>
      homeRoute.action({
        request: routeRequest('/', cookie, { teachingAssignmentId: ids.teaching }),
        params: {},
        context,
      }),
    cabinet: () => cabinetRoute.loader({ request: routeRequest(`/cabinets/${ids.cabinet}`, cookie), params, context }),
    createItem: () =>
      cabinetRoute.action({
        request: routeRequest(`/cabinets/${ids.cabinet}`, cookie, { intent: 'create-item', title: `by ${account}` }),
        params,
        context,
      }),
    updateItem: () =>
      cabinetRoute.action({
        request: routeRequest(`/cabinets/${ids.cabinet}`, cookie, {
          intent: 'update-item',
          itemId: ids.draftItem,
          title: `by ${account}`,
        }),
        params,
        context,
      }),
    publish: () =>
      cabinetRoute.action({
        request: routeRequest(`/cabinets/${ids.cabinet}`, cookie, { intent: 'publish', itemId: ids.itemToPublish }),
        params,
        context,
      }),
    unpublish: () =>
      cabinetRoute.action({
        request: routeRequest(`/cabinets/${ids.cabinet}`, cookie, { intent: 'unpublish', itemId: ids.itemToUnpublish }),
        params,
        context,
      }),
    // Removing a file (and, when that works, restoring it at once, so every account finds it in place).
    removeFile: async () => {
      const form = (intent: string) =>
        routeRequest(`/cabinets/${ids.cabinet}`, cookie, { intent, fileId: ids.draftFile });
      const removed = await statusOf(() => cabinetRoute.action({ request: form('remove-file'), params, context }));
      if (removed === 200) {
        const restored = await statusOf(() => cabinetRoute.action({ request: form('restore-file'), params, context }));
        if (restored !== 200) throw new Error(`${account} removed the file but could not restore it (${restored})`);
      }
      return new Response(null, { status: removed });
    },
    filePublished: () =>
      fileRoute.loader({
        request: routeRequest(`/files/${ids.publishedFile}`, cookie),
        params: { fileId: ids.publishedFile },
        context,
      }),
    fileDraft: () =>
      fileRoute.loader({
        request: routeRequest(`/files/${ids.draftFile}`, cookie),
        params: { fileId: ids.draftFile },
        context,
      }),
    tusCreate: async () =>
      tusCreate(server.url, {
        cookie,
        length: '100',
        metadata: { cabinetId: ids.cabinet, slotId: ids.slot, filename: 'c.pdf' },
      }),
    tusHead: async () => fetch(ids.uploadUrl, { method: 'HEAD', headers: tusHeaders }),
    headTeacherCabinet: () =>
      cabinetRoute.loader({
        request: routeRequest(`/cabinets/${ids.headTeacherCabinet}`, cookie),
        params: { cabinetId: ids.headTeacherCabinet },
        context,
      }),
    headTeacherCreateItem: () =>
      cabinetRoute.action({
        request: routeRequest(`/cabinets/${ids.headTeacherCabinet}`, cookie, {
          intent: 'create-item',
          title: `by ${account}`,
        }),
        params: { cabinetId: ids.headTeacherCabinet },
        context,
      }),
    deanTeacherCabinet: () =>
      cabinetRoute.loader({
        request: routeRequest(`/cabinets/${ids.deanTeacherCabinet}`, cookie),
        params: { cabinetId: ids.deanTeacherCabinet },
        context,
      }),
    deanTeacherCreateItem: () =>
      cabinetRoute.action({
        request: routeRequest(`/cabinets/${ids.deanTeacherCabinet}`, cookie, {
          intent: 'create-item',
          title: `by ${account}`,
        }),
        params: { cabinetId: ids.deanTeacherCabinet },
        context,
      }),
    departmentReport: () =>
      reportRoute.loader({
        request: routeRequest(`/reports/departments/${ids.department}`, cookie),
        params: { departmentId: ids.department },
        context,
      }),
  };
  const result = {} as Record<Column, number>;
  for (const column of columns) result[column] = await statusOf(run[column]);
  return result;
}

describe('permission matrix', () => {
  it.each(Object.keys(expected))(
    '%s gets exactly the expected outcome for every loader, action and upload',
    async (account) => {
      expect(await outcomes(account)).toEqual(expected[account]);
    },
  );
});
