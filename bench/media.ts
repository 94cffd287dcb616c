// `npm run bench:media`: HLS segments through `/media/<token>/…` of the real web process, against a
// bare Node static file server on the same files, with 200 concurrent clients, same run. Prints a
// JSON line last.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { signMediaToken } from '../server/media/media-token.ts';
import { storageKeys } from '../server/storage/media-storage.ts';
import { benchDir, median, startChild, startKabinetProcess, stopChild } from './processes.ts';

const MiB = 1024 * 1024;
const clients = Number(process.env.BENCH_MEDIA_CLIENTS ?? 200);
const seconds = Number(process.env.BENCH_MEDIA_SECONDS ?? 8);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const segments = 40;
// A 720p lecture segment: 6 s at about 1.6 Mbit/s.
const segmentBytes = 1.2 * MiB;

/** `clients` players fetching segments one after another for `seconds`; returns MiB/s. */
async function load(base: string): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const until = performance.now() + seconds * 1000;
  let bytes = 0;
  const fetchOne = (url: string) =>
    new Promise<void>((resolve, reject) => {
      http
        .get(url, { agent }, (response) => {
          if (response.statusCode !== 200) reject(new Error(`${url}: ${response.statusCode}`));
          response.on('data', (chunk: Buffer) => (bytes += chunk.length));
          response.on('end', resolve);
          response.on('error', reject);
        })
        .on('error', reject);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = client % segments; performance.now() < until; i = (i + 1) % segments) {
        await fetchOne(`${base}/720p/seg_${String(i).padStart(5, '0')}.ts`);
      }
    }),
  );
  agent.destroy();
  return bytes / MiB / ((performance.now() - started) / 1000);
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-bench-media-'));
  const secret = randomBytes(32).toString('hex');
  const children = [];
  try {
    const kabinet = await startKabinetProcess(work, { MEDIA_TOKEN_SECRET: secret });
    children.push(kabinet.child);
    // Published output as the worker leaves it: segments under the video's attempt prefix.
    const fileId = randomUUID();
    const attempt = randomBytes(6).toString('hex');
    const folder = path.join(kabinet.dataDir, 'media', storageKeys.hls(fileId, attempt), '720p');
    fs.mkdirSync(folder, { recursive: true });
    for (let i = 0; i < segments; i++)
      fs.writeFileSync(path.join(folder, `seg_${String(i).padStart(5, '0')}.ts`), randomBytes(segmentBytes));
    const token = signMediaToken(Buffer.from(secret), {
      userId: randomUUID(),
      mediaFileId: fileId,
      attempt,
      expiresAt: Date.now() + 3600_000,
    });
    const bare = await startChild(
      [path.join(benchDir, 'static-server.ts'), path.dirname(folder)],
      (line) => JSON.parse(line) as { url: string },
    );
    children.push(bare.child);

    const kabinetBase = `${kabinet.url}/media/${token}`;
    await load(kabinetBase); // warm both (page cache, JIT) before measuring
    await load(bare.info.url);
    const results = { kabinet: [] as number[], bare: [] as number[] };
    for (let run = 0; run < runs; run++) {
      results.bare.push(await load(bare.info.url));
      results.kabinet.push(await load(kabinetBase));
      process.stderr.write(
        `run ${run + 1}: bare ${results.bare[run]!.toFixed(0)} MiB/s, kabinet ${results.kabinet[run]!.toFixed(0)} MiB/s\n`,
      );
    }
    console.log(
      JSON.stringify({
        bench: 'media',
        ratio: Number((median(results.kabinet) / median(results.bare)).toFixed(3)),
        clients,
        runs,
        bare_mib_s: Number(median(results.bare).toFixed(0)),
        kabinet_mib_s: Number(median(results.kabinet).toFixed(0)),
      }),
    );
  } finally {
    for (const child of children) await stopChild(child);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
