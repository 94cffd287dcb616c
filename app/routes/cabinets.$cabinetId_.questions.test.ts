// Importing a question bank through the page's form, the report of what could not be read, the
// export, and who may see a bank (it holds the answers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loader as exportLoader } from './cabinets.$cabinetId.questions[.]gift.ts';
import { action as bankAction, loader as bankLoader } from './cabinets.$cabinetId_.questions.tsx';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { importGift } from '../../server/quizzes/question-formats.ts';
import { settle, statusOf } from '../../tests/helpers/route-calls.ts';

let server: TestServer;
let cabinetId: string;
const context = () => ({ services: server.services, clientIp: '10.0.0.1' });

async function importFile(account: string, format: string, text: string | Uint8Array<ArrayBuffer>) {
  const body = new FormData();
  body.append('intent', 'import');
  body.append('format', format);
  body.append('file', new Blob([text]), 'bank.txt');
  const request = new Request(`http://kabinet.test/cabinets/${cabinetId}/questions`, {
    method: 'POST',
    headers: { cookie: await server.cookieFor(account) },
    body,
  });
  return settle(() => bankAction({ request, params: { cabinetId }, context: context() }));
}
const get = async (account: string, loader: typeof bankLoader | typeof exportLoader) =>
  settle(async () =>
    loader({
      request: new Request(`http://kabinet.test/cabinets/${cabinetId}/questions`, {
        headers: { cookie: await server.cookieFor(account) },
      }),
      params: { cabinetId },
      context: context(),
    }),
  );

beforeAll(async () => {
  server = await startTestServer();
  cabinetId = (await demoCabinet(server.services.db, 'instructor', 'MATH-101')).cabinetId;
});
afterAll(async () => {
  await server?.close();
});

describe('question bank', () => {
  it('imports the good questions of a GIFT file and reports the rest by line', async () => {
    const gift = '::Q1:: Бишкек — борбор шаарбы? {T}\n\n::Q2:: Сынган {=а ~б\n\n::Q3:: 7 × 8? {#56}\n';
    const result = (await importFile('instructor', 'gift', gift)) as {
      result: { imported: number; problems: { line: number; reason: string }[] };
    };
    expect(result.result.imported).toBe(2);
    expect(result.result.problems.map((p) => [p.line, p.reason])).toEqual([[3, 'quiz.import.syntax']]);
    const page = (await get('instructor', bankLoader)) as { questions: { title: string }[] };
    expect(page.questions.map((q) => q.title)).toEqual(['Q1', 'Q3']);
  });

  it('imports Aiken, and exports the whole bank as GIFT that imports back the same', async () => {
    const aiken = 'Эң узун дарыя?\nA. Нарын\nB. Чүй\nANSWER: A\n';
    expect(((await importFile('instructor', 'aiken', aiken)) as { result: { imported: number } }).result.imported).toBe(
      1,
    );
    const exported = await ((await get('instructor', exportLoader)) as Response).text();
    const again = importGift(exported);
    expect(again.problems).toEqual([]);
    const page = (await get('instructor', bankLoader)) as {
      questions: { title: string; stem: string; data: unknown }[];
    };
    expect(again.questions).toEqual(page.questions.map(({ title, stem, data }) => ({ title, stem, data })));
  });

  it("refuses files that are not text, and everyone but the cabinet's instructor", async () => {
    const before = await server.services.db.selectFrom('question').select('id').execute();
    const bad = await importFile('instructor', 'gift', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00]));
    expect(statusOf(bad)).toBe(400);
    expect(JSON.stringify((bad as { data?: unknown }).data)).toContain('quiz.import.not_text');
    expect(statusOf(await importFile('student', 'gift', '::Q:: x {T}'))).toBe(403);
    expect(statusOf(await importFile('instructor2', 'gift', '::Q:: x {T}'))).toBe(403);
    expect(await server.services.db.selectFrom('question').select('id').execute()).toEqual(before);
    // A bank holds the answers: students and other staff cannot read it either.
    expect(statusOf(await get('student', bankLoader))).toBe(403);
    expect(statusOf(await get('head', exportLoader))).toBe(403);
  });
});
