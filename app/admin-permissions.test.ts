// Every role against every admin page, download and action, and the department teaching page
// against heads of this and another department, as one table of statuses.
import type { AppLoadContext } from '@remix-run/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScopeOf } from '../tests/helpers/demo-cabinet.ts';
import { routeRequest, settle, statusOf } from '../tests/helpers/route-calls.ts';
import { startTestServer, type TestServer } from '../tests/helpers/test-server.ts';
import * as adminLayout from './routes/admin.tsx';
import * as adminHome from './routes/admin._index.tsx';
import * as audit from './routes/admin.audit.tsx';
import * as auditCsv from './routes/admin.audit[.]csv.ts';
import * as exportRoute from './routes/admin.export[.]xlsx.ts';
import * as imports from './routes/admin.imports._index.tsx';
import * as importRunRoute from './routes/admin.imports.$runId.tsx';
import * as template from './routes/admin.imports.template[.]xlsx.ts';
import * as person from './routes/admin.people.$personId.tsx';
import * as people from './routes/admin.people._index.tsx';
import * as structure from './routes/admin.structure.$kind.tsx';
import * as adminTeaching from './routes/admin.teaching.tsx';
import * as teaching from './routes/departments.$departmentId.teaching.tsx';

const columns = [
  'layout',
  'home',
  'structure',
  'structureCreate',
  'people',
  'person',
  'personDisable',
  'personUnlink',
  'teaching',
  'rollover',
  'imports',
  'importRun',
  'importUpload',
  'importApply',
  'audit',
  'auditCsv',
  'template',
  'export',
  'ownTeaching',
  'otherTeaching',
  'ownTeachingAdd',
] as const;
type Column = (typeof columns)[number];

// "own" and "other" teaching: department 1 (head's) and department 2 (head2's). 302 = to login,
// 200 = allowed, 403 = refused. Refused actions change nothing (checked below).
const staff = (own: number, other: number, ownAdd: number) => ({
  layout: 403,
  home: 403,
  structure: 403,
  structureCreate: 403,
  people: 403,
  person: 403,
  personDisable: 403,
  personUnlink: 403,
  teaching: 403,
  rollover: 403,
  imports: 403,
  importRun: 403,
  importUpload: 403,
  importApply: 403,
  audit: 403,
  auditCsv: 403,
  template: 403,
  export: 403,
  ownTeaching: own,
  otherTeaching: other,
  ownTeachingAdd: ownAdd,
});
// prettier-ignore
const expected: Record<string, Record<Column, number>> = {
  anonymous:  { layout: 302, home: 302, structure: 302, structureCreate: 302, people: 302, person: 302, personDisable: 302, personUnlink: 302, teaching: 302, rollover: 302, imports: 302, importRun: 302, importUpload: 302, importApply: 302, audit: 302, auditCsv: 302, template: 302, export: 302, ownTeaching: 302, otherTeaching: 302, ownTeachingAdd: 302 },
  admin:      { layout: 200, home: 200, structure: 200, structureCreate: 200, people: 200, person: 200, personDisable: 200, personUnlink: 404, teaching: 200, rollover: 200, imports: 200, importRun: 200, importUpload: 400, importApply: 409, audit: 200, auditCsv: 200, template: 200, export: 200, ownTeaching: 200, otherTeaching: 200, ownTeachingAdd: 400 },
  rector:     staff(403, 403, 403),
  dean:       staff(403, 403, 403),
  head:       staff(200, 403, 400),
  head2:      staff(403, 200, 403),
  instructor: staff(403, 403, 403),
  student:    staff(403, 403, 403),
};

let server: TestServer;
let context: AppLoadContext;
const ids = { person: '', run: '', department: '', otherDepartment: '' };

beforeAll(async () => {
  server = await startTestServer();
  context = { services: server.services, clientIp: '127.0.0.1' };
  const { db } = server.services;
  ids.person = await server.userId('student2');
  ids.department = (await demoScopeOf(db, 'head')).departmentId!;
  ids.otherDepartment = (await demoScopeOf(db, 'head2')).departmentId!;
  const run = await db
    .insertInto('import_run')
    .values({
      created_by: await server.userId('admin'),
      file_name: 'x.xlsx',
      storage_key: 'imports/x/upload',
      byte_size: 1,
      state: 'applied',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  ids.run = run.id;
});
afterAll(() => server?.close());

async function outcomes(account: string): Promise<Record<Column, number>> {
  const cookie = account === 'anonymous' ? undefined : await server.cookieFor(account);
  const get = (path: string, params: Record<string, string> = {}) => ({
    request: routeRequest(path, cookie),
    params,
    context,
  });
  const post = (path: string, form: Record<string, string>, params: Record<string, string> = {}) => ({
    request: routeRequest(path, cookie, form),
    params,
    context,
  });
  const run: Record<Column, () => Promise<unknown>> = {
    layout: () => adminLayout.loader(get('/admin')),
    home: () => adminHome.loader(get('/admin')),
    structure: () => structure.loader(get('/admin/structure/faculties', { kind: 'faculties' })),
    structureCreate: () =>
      structure.action(
        post(
          '/admin/structure/faculties',
          { intent: 'create', code: `F-${account}`, name_ky: account },
          { kind: 'faculties' },
        ),
      ),
    people: () => people.loader(get('/admin/people?q=demo')),
    person: () => person.loader(get(`/admin/people/${ids.person}`, { personId: ids.person })),
    personDisable: () =>
      person.action(post(`/admin/people/${ids.person}`, { intent: 'enable' }, { personId: ids.person })),
    // No such link: the admin is told so (404), anyone else is refused before anything is read.
    personUnlink: () =>
      person.action(
        post(
          `/admin/people/${ids.person}`,
          { intent: 'unlink-sso', issuer: 'https://sso.example', subject: 'nobody' },
          { personId: ids.person },
        ),
      ),
    teaching: () => adminTeaching.loader(get('/admin/teaching')),
    rollover: () =>
      adminTeaching.action(
        post('/admin/teaching', { code: '', academicYear: '', semester: '1', startsOn: '', weeks: '16' }),
      ),
    imports: () => imports.loader(get('/admin/imports')),
    importRun: () => importRunRoute.loader(get(`/admin/imports/${ids.run}`, { runId: ids.run })),
    importUpload: () => imports.action(post('/admin/imports', { term: '' })),
    importApply: () => importRunRoute.action(post(`/admin/imports/${ids.run}`, {}, { runId: ids.run })),
    audit: () => audit.loader(get('/admin/audit')),
    auditCsv: () => auditCsv.loader(get('/admin/audit.csv')),
    template: () => template.loader(get('/admin/imports/template.xlsx')),
    export: () => exportRoute.loader(get('/admin/export.xlsx')),
    ownTeaching: () =>
      teaching.loader(get(`/departments/${ids.department}/teaching`, { departmentId: ids.department })),
    otherTeaching: () =>
      teaching.loader(get(`/departments/${ids.otherDepartment}/teaching`, { departmentId: ids.otherDepartment })),
    // Incomplete on purpose: a permitted caller gets 400, a refused one 403 before anything is read.
    ownTeachingAdd: () =>
      teaching.action(
        post(
          `/departments/${ids.department}/teaching`,
          { intent: 'add', termId: 'x', instructorId: 'x', subjectId: 'x' },
          { departmentId: ids.department },
        ),
      ),
  };
  const result = {} as Record<Column, number>;
  for (const column of columns) result[column] = statusOf(await settle(run[column]));
  return result;
}

describe('admin permissions', () => {
  it.each(Object.keys(expected))(
    '%s gets exactly the expected outcome for every admin page and action',
    async (account) => {
      expect(await outcomes(account)).toEqual(expected[account]);
    },
  );

  it('wrote nothing for the refused: only the admin created a faculty', async () => {
    const created = await server.services.db
      .selectFrom('faculty')
      .select('code')
      .where('code', 'like', 'F-%')
      .execute();
    expect(created.map((row) => row.code)).toEqual(['F-admin']);
  });
});
