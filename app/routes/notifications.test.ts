// The routes of what students are told and of written questions, as an attacker tries them: no
// session, another person's notice, a made-up intent; a question written into someone else's bank,
// by a student, or as a body that is not a question. Each is refused with the right status, and the
// one allowed way works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { routeRequest, settle, statusOf } from '../../tests/helpers/route-calls.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { setItemStatus } from '../../server/cabinets/items.ts';
import { tusUploadWhole } from '../../tests/helpers/tus-requests.ts';
import { action as questionsAction } from './cabinets.$cabinetId_.questions.tsx';
import { action as noticesAction, loader as noticesLoader } from './notifications.tsx';

let server: TestServer;
let cabinet: Awaited<ReturnType<typeof demoCabinet>>;
const context = () => ({ services: server.services, clientIp: '10.0.0.1' });
const cookie = (account: string) => (account === 'anonymous' ? undefined : server.cookieFor(account));

beforeAll(async () => {
  server = await startTestServer({ reports: false });
  cabinet = await demoCabinet(server.services.db, 'instructor', 'MATH-101');
});
afterAll(() => server?.close());

async function notices(account: string) {
  const request = routeRequest('/notifications', await cookie(account));
  return settle(() => noticesLoader({ request, params: {}, context: context() }));
}
async function post(account: string, form: Record<string, string>) {
  const request = routeRequest('/notifications', await cookie(account), form);
  return settle(() => noticesAction({ request, params: {}, context: context() }));
}

describe('/notifications', () => {
  it('is one’s own: no session goes to login, another’s notice is "not found", opening one’s own leads to it', async () => {
    const { db } = server.services;
    const actor = { user: cabinet.user, ip: null };
    const slot = cabinet.slots.find((candidate) => candidate.kind === 'practical_material')!;
    const { finish } = await tusUploadWhole(server.url, Buffer.from('%PDF-1.4\n' + 'x'.repeat(5000)), {
      cookie: await server.cookieFor('instructor'),
      metadata: { cabinetId: cabinet.cabinetId, slotId: slot.id, filename: 'Практика.pdf' },
    });
    const fileId = finish!.headers.get('kabinet-media-file')!;
    const { item_id: itemId } = await db
      .selectFrom('media_file')
      .select('item_id')
      .where('id', '=', fileId)
      .executeTakeFirstOrThrow();
    await setItemStatus(db, actor, itemId, 'published');

    expect(statusOf(await notices('anonymous'))).toBe(302);
    const own = (await notices('student')) as { notices: { id: string; target: string }[] };
    expect(own.notices).toHaveLength(1);
    const [notice] = own.notices;
    expect(notice!.target).toBe(`/cabinets/${cabinet.cabinetId}#item-${itemId}`);
    expect(((await notices('student31')) as { notices: unknown[] }).notices).toEqual([]);

    expect(statusOf(await post('student31', { intent: 'open', notificationId: notice!.id }))).toBe(404);
    expect(statusOf(await post('instructor', { intent: 'open', notificationId: notice!.id }))).toBe(404);
    expect(statusOf(await post('student', { intent: 'delete', notificationId: notice!.id }))).toBe(400);
    expect(statusOf(await post('student', { intent: 'open', notificationId: 'x'.repeat(65) }))).toBe(400);
    expect(statusOf(await post('anonymous', { intent: 'mark-all' }))).toBe(302);
    const opened = (await post('student', { intent: 'open', notificationId: notice!.id })) as Response;
    expect([opened.status, opened.headers.get('location')]).toEqual([302, notice!.target]);
  });
});

describe('writing a question through the bank page', () => {
  const question = JSON.stringify({
    title: '',
    stem: 'Ысык-Көл туздуубу?',
    data: { kind: 'true_false', answer: true },
  });
  async function write(account: string, body: string, cabinetId = cabinet.cabinetId) {
    const request = routeRequest(`/cabinets/${cabinetId}/questions`, await cookie(account), {
      intent: 'write-question',
      question: body,
    });
    return settle(() => questionsAction({ request, params: { cabinetId }, context: context() }));
  }

  it('is for the bank’s instructor; what is not a question is a 400 with a reason people can read', async () => {
    expect(statusOf(await write('anonymous', question))).toBe(302);
    expect(statusOf(await write('student', question))).toBe(403);
    expect(statusOf(await write('instructor2', question))).toBe(403);
    expect(statusOf(await write('head', question))).toBe(403);
    expect(statusOf(await write('instructor', question, '00000000-0000-0000-0000-000000000000'))).toBe(404);
    const refused = (await write('instructor', JSON.stringify({ stem: '', data: { kind: 'short', answers: [] } }))) as {
      data: { error: { messageKey: string } };
    };
    expect(statusOf(refused)).toBe(400);
    expect(refused.data.error.messageKey).toBe('quiz.editor.stem_required');
    expect(statusOf(await write('instructor', '{"stem": 1'))).toBe(400);
    expect(statusOf(await write('instructor', 'x'.repeat(200_001)))).toBe(400);
    expect(await write('instructor', question)).toEqual({ error: null, result: { saved: true } });
    const bank = await server.services.db
      .selectFrom('question')
      .select('stem')
      .where('cabinet_id', '=', cabinet.cabinetId)
      .execute();
    expect(bank).toEqual([{ stem: 'Ысык-Көл туздуубу?' }]);
  });
});
