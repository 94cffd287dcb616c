// `npm run bench:upload`: Kabinet's tus upload path against a bare streaming server, same machine, same run.
// Kabinet is the real web process (build it first: the npm script does).
// Prints a JSON line last: throughput ratios for the browser's chunk size and 8 MiB, server RSS growth
// and the bytes sent twice when an upload is cut and resumed.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as tus from 'tus-js-client';
import { loadConfig } from '../server/config.ts';
import { procStat } from '../tests/helpers/proc-stat.ts';
import {
  benchDir as here,
  median,
  memoryOf,
  openDemoCabinet,
  resetPeakMemory,
  startChild,
  startKabinetProcess,
  stopChild as stop,
} from './processes.ts';

const MiB = 1024 * 1024;
const size = Number(process.env.BENCH_UPLOAD_MIB ?? 1024) * MiB;
const runs = Number(process.env.BENCH_RUNS ?? 3);
const browserChunk = loadConfig(process.env).uploadChunkBytes; // what the cabinet page hands to tus-js-client

/** The real web process (`npm start`'s command line), on a data folder of its own, with a logged-in instructor. */
async function startKabinet(work: string): Promise<{ child: ChildProcess; info: KabinetInfo }> {
  const started = await startKabinetProcess(work);
  const { cookie, cabinetId, db } = await openDemoCabinet(started.url, started.pgPort, started.dataDir);
  try {
    const slots = await db.query<{ id: string }>(
      `select id from slot where cabinet_id = $1 and kind = 'lecture_video' order by number`,
      [cabinetId],
    );
    return {
      child: started.child,
      info: {
        url: started.url,
        cookie,
        cabinetId,
        slotIds: slots.rows.map((r) => r.id),
        mediaDir: path.join(work, 'data', 'media'),
      },
    };
  } finally {
    await db.end();
  }
}

/** CPU seconds (user + system) a process has used so far. */
const cpuSecondsOf = (pid: number) => procStat(pid).cpuSeconds;

async function bareUpload(url: string, file: string): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const request = http.request(url, { method: 'PUT', headers: { 'Content-Length': String(size) } }, (response) => {
      response.resume();
      response.on('end', () =>
        response.statusCode === 204 ? resolve() : reject(new Error(`bare: ${response.statusCode}`)),
      );
    });
    request.on('error', reject);
    // Node's default read size, as tus-js-client reads the file too.
    fs.createReadStream(file).pipe(request);
  });
  return performance.now() - started;
}

type KabinetInfo = { url: string; cookie: string; cabinetId: string; slotIds: string[]; mediaDir: string };

function tusUpload(
  info: KabinetInfo,
  file: string,
  slotId: string,
  chunkSize: number,
  options: { abortAt?: number; uploadUrl?: string } = {},
) {
  return new Promise<{ ms: number; url: string; lastProgress: number; serverOffset: number }>((resolve, reject) => {
    const started = performance.now();
    let lastProgress = 0;
    const upload: tus.Upload = new tus.Upload(fs.createReadStream(file), {
      endpoint: `${info.url}/uploads`,
      uploadUrl: options.uploadUrl,
      uploadSize: size,
      chunkSize,
      headers: { Cookie: info.cookie },
      metadata: { cabinetId: info.cabinetId, slotId, filename: 'bench.mp4' },
      retryDelays: [],
      onProgress(sent) {
        lastProgress = sent;
        if (options.abortAt !== undefined && sent >= options.abortAt) {
          void upload
            .abort()
            .then(() =>
              fetch(upload.url!, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', Cookie: info.cookie } }),
            )
            .then((head) =>
              resolve({
                ms: performance.now() - started,
                url: upload.url!,
                lastProgress,
                serverOffset: Number(head.headers.get('upload-offset')),
              }),
            );
          options.abortAt = undefined;
        }
      },
      onError: reject,
      onSuccess: () => resolve({ ms: performance.now() - started, url: upload.url!, lastProgress, serverOffset: size }),
    });
    upload.start();
  });
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-bench-'));
  const file = path.join(work, 'upload.bin');
  // An MP4 signature so that Kabinet accepts it as a video; the rest is incompressible.
  const out = fs.openSync(file, 'w');
  fs.writeSync(out, Buffer.from('000000186674797069736f6d0000020069736f6d69736f32', 'hex'));
  for (let written = 24; written < size; written += 16 * MiB)
    fs.writeSync(out, randomBytes(Math.min(16 * MiB, size - written)));
  fs.closeSync(out);

  const children: ChildProcess[] = [];
  try {
    const bare = await startChild(
      [path.join(here, 'bare-server.ts'), work],
      (line) => JSON.parse(line) as { url: string },
    );
    children.push(bare.child);
    const kabinet = await startKabinet(work);
    children.push(kabinet.child);
    let slot = 0;
    const nextSlot = () => kabinet.info.slotIds[slot++]!;
    const clearMedia = () => fs.rmSync(path.join(kabinet.info.mediaDir, 'originals'), { recursive: true, force: true });
    // Start counting the peak from here: start-up (migrations, the seed's scrypt) is not upload memory.
    resetPeakMemory(kabinet.child.pid!);
    const before = memoryOf(kabinet.child.pid!);
    // One untimed round first: both servers' code warmed up, and the disk done with what the start
    // wrote (Postgres's cluster, migrations, the seed), which otherwise lands on the first timed run.
    await bareUpload(bare.info.url, file);
    await tusUpload(kabinet.info, file, nextSlot(), browserChunk);
    clearMedia();
    // The three uploads take turns at each place in a run's order (run 1: bare, browser chunks,
    // 8 MiB; run 2: browser chunks, 8 MiB, bare; …). Where an upload stands matters on this disk:
    // each one follows the deletion of the last 1 GiB, and the 8 MiB upload right after the 64 MiB
    // one was 10–30 % slower than at the other places (decision 017).
    const times = { bare: [] as number[], browser: [] as number[], eight: [] as number[] };
    const cpu = { bare: 0, kabinet: 0 };
    const timed = {
      bare: async () => {
        const before = cpuSecondsOf(bare.child.pid!);
        times.bare.push(await bareUpload(bare.info.url, file));
        cpu.bare += cpuSecondsOf(bare.child.pid!) - before;
      },
      browser: async () => {
        const before = cpuSecondsOf(kabinet.child.pid!);
        times.browser.push((await tusUpload(kabinet.info, file, nextSlot(), browserChunk)).ms);
        cpu.kabinet += cpuSecondsOf(kabinet.child.pid!) - before;
        clearMedia();
      },
      eight: async () => {
        times.eight.push((await tusUpload(kabinet.info, file, nextSlot(), 8 * MiB)).ms);
        clearMedia();
      },
    };
    const kinds = ['bare', 'browser', 'eight'] as const;
    for (let run = 0; run < runs; run++) {
      for (let place = 0; place < kinds.length; place++) await timed[kinds[(place + run) % kinds.length]!]();
      process.stderr.write(
        `run ${run + 1}: bare ${times.bare[run]!.toFixed(0)} ms, kabinet ${times.browser[run]!.toFixed(0)} ms (${browserChunk / MiB} MiB chunks), ${times.eight[run]!.toFixed(0)} ms (8 MiB)\n`,
      );
    }
    const after = memoryOf(kabinet.child.pid!);

    // Cut an upload halfway, then resume it from the URL: how much travels twice?
    const resumeSlot = nextSlot();
    const cut = await tusUpload(kabinet.info, file, resumeSlot, browserChunk, { abortAt: size / 2 });
    await tusUpload(kabinet.info, file, resumeSlot, browserChunk, { uploadUrl: cut.url });
    const resentBytes = Math.max(0, cut.lastProgress - cut.serverOffset);
    clearMedia();

    const mbps = (ms: number) => size / MiB / (ms / 1000);
    const result = {
      bench: 'upload',
      ratio: Number((median(times.bare) / median(times.browser)).toFixed(3)),
      ratio_8mib: Number((median(times.bare) / median(times.eight)).toFixed(3)),
      chunk_bytes: browserChunk,
      rss_growth_mb: Number(((after.peak - before.rss) / MiB).toFixed(1)),
      resent_bytes: resentBytes,
      size_mib: size / MiB,
      runs,
      bare_mib_s: Number(mbps(median(times.bare)).toFixed(0)),
      kabinet_mib_s: Number(mbps(median(times.browser)).toFixed(0)),
      kabinet_8mib_mib_s: Number(mbps(median(times.eight)).toFixed(0)),
      // Server CPU per GiB received (less noisy than wall time on a shared machine).
      bare_cpu_s_per_gib: Number((cpu.bare / runs / (size / 1024 ** 3)).toFixed(2)),
      kabinet_cpu_s_per_gib: Number((cpu.kabinet / runs / (size / 1024 ** 3)).toFixed(2)),
    };
    console.log(JSON.stringify(result));
  } finally {
    for (const child of children) await stop(child);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
