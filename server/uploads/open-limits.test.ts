// One person cannot hold any number of unfinished uploads (issue 17): at most
// UPLOAD_MAX_OPEN_PER_PERSON of them and UPLOAD_MAX_OPEN_GIB_PER_PERSON declared, counted one
// creation at a time even when the requests come in parallel, refused with a translated 429.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCabinet } from '../../tests/helpers/demo-cabinet.ts';
import { startTestServer, type TestServer } from '../../tests/helpers/test-server.ts';
import { tusCreate } from '../../tests/helpers/tus-requests.ts';
import { ky } from '../common/dictionaries/ky.ts';

let server: TestServer;
let owner: string;
let meta: (filename: string) => Record<string, string>;

beforeAll(async () => {
  // 3 unfinished uploads, 10 MiB declared (0.009765625 GiB).
  server = await startTestServer({
    env: { UPLOAD_MAX_OPEN_PER_PERSON: '3', UPLOAD_MAX_OPEN_GIB_PER_PERSON: '0.009765625' },
  });
  const cabinet = await demoCabinet(server.services.db, 'instructor', 'MATH-101');
  const slot = cabinet.slots.find((s) => s.kind === 'practical_material')!;
  meta = (filename) => ({ cabinetId: cabinet.cabinetId, slotId: slot.id, filename });
  owner = await server.cookieFor('instructor');
});
afterAll(() => server?.close());

const openUploads = async () =>
  Number(
    (
      await server.services.db
        .selectFrom('upload')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('finished_at', 'is', null)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('unfinished uploads per person', () => {
  it('lets 3 of 8 parallel creations through, refuses the rest in the person’s language, and counts a removed one out', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        tusCreate(server.url, { cookie: owner, length: '1000', metadata: meta(`part-${i}.pdf`) }),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, 201, 201, 429, 429, 429, 429, 429]);
    const refused = answers.find((answer) => answer.status === 429)!;
    expect(await refused.text()).toBe(`${ky.upload.too_many_open.replace('{{max}}', '3')}\n`);
    expect(await openUploads()).toBe(3);

    // One is removed (tus termination): there is room for one more, and no more than that.
    const created = answers
      .filter((answer) => answer.status === 201)
      .map((answer) => new URL(answer.headers.get('location')!, server.url).href);
    const removed = await fetch(created[0]!, {
      method: 'DELETE',
      headers: { 'Tus-Resumable': '1.0.0', Cookie: owner },
    });
    expect(removed.status).toBe(204);
    await expect.poll(openUploads).toBe(2);
    expect((await tusCreate(server.url, { cookie: owner, length: '1000', metadata: meta('again.pdf') })).status).toBe(
      201,
    );
    expect(
      (await tusCreate(server.url, { cookie: owner, length: '1000', metadata: meta('one-more.pdf') })).status,
    ).toBe(429);
  });

  it('refuses an upload that would take the person’s unfinished bytes over the limit', async () => {
    // Three small ones are open from the test above; a removed one makes room in number, not in bytes.
    const [row] = await server.services.db
      .selectFrom('upload')
      .select('id')
      .where('finished_at', 'is', null)
      .limit(1)
      .execute();
    await server.services.db.deleteFrom('upload').where('id', '=', row!.id).execute();
    const big = await tusCreate(server.url, {
      cookie: owner,
      length: String(10 * 1024 * 1024),
      metadata: meta('big.pdf'),
    });
    expect(big.status).toBe(429);
    expect(await big.text()).toBe(`${ky.upload.too_much_open.replace('{{gib}}', '0.01')}\n`);
    expect(
      (await tusCreate(server.url, { cookie: owner, length: String(5 * 1024 * 1024), metadata: meta('fits.pdf') }))
        .status,
    ).toBe(201);
  });
});
