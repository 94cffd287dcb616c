// `npm run bench:s3-uploads`: the web process's memory while 50 uploads of 20 MB finish at once,
// with media storage on an S3-compatible server (s3rver on loopback) against local disk, same run.
// Prints a JSON line last: peak resident memory growth of each and their ratio.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startS3Server } from '../tests/helpers/s3-server.ts';
import { tusUploadWhole } from '../tests/helpers/tus-requests.ts';
import { memoryOf, openDemoCabinet, resetPeakMemory, startKabinetProcess, stopChild } from './processes.ts';

const UPLOADS = Number(process.env.BENCH_S3_UPLOADS ?? 50);
const MB = 1_000_000;
const body = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(20 * MB - 9)]);

/** Peak and final resident memory growth (MB) of a web process while the uploads run at once. */
async function measure(storage: Record<string, string>): Promise<{ peak: number; after: number }> {
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'kabinet-bench-s3-'));
  // One instructor sends them all: the per-person limit on open uploads is raised for the bench.
  const web = await startKabinetProcess(work, {
    ...storage,
    UPLOAD_MAX_OPEN_PER_PERSON: String(UPLOADS * 2),
    UPLOAD_MAX_OPEN_GIB_PER_PERSON: '100',
  });
  const { cookie, cabinetId, db } = await openDemoCabinet(web.url, web.pgPort, web.dataDir);
  try {
    const slots = (
      await db.query<{ id: string }>(
        `select id from slot where cabinet_id = $1 and kind = 'practical_material' order by week, number`,
        [cabinetId],
      )
    ).rows;
    const pid = web.child.pid!;
    const before = memoryOf(pid).rss;
    resetPeakMemory(pid);
    const answers = await Promise.all(
      Array.from({ length: UPLOADS }, (_, i) =>
        tusUploadWhole(web.url, body, {
          cookie,
          metadata: { cabinetId, slotId: slots[i % slots.length]!.id, filename: `part-${i}.pdf` },
        }),
      ),
    );
    const refused = answers.filter((answer) => answer.finish?.status !== 204).length;
    if (refused) throw new Error(`${refused} uploads were not recorded`);
    const { peak, rss } = memoryOf(pid);
    return { peak: (peak - before) / MB, after: (rss - before) / MB };
  } finally {
    await db.end();
    await stopChild(web.child);
    await fs.rm(work, { recursive: true, force: true });
  }
}

const local = await measure({});
console.log(`local disk: peak +${local.peak.toFixed(0)} MB, after +${local.after.toFixed(0)} MB`);
const s3 = await startS3Server();
try {
  const { config } = s3;
  const onS3 = await measure({
    S3_BUCKET: config.bucket,
    S3_ENDPOINT: config.endpoint!,
    S3_REGION: config.region,
    S3_ACCESS_KEY_ID: config.accessKeyId!,
    S3_SECRET_ACCESS_KEY: config.secretAccessKey!,
    S3_FORCE_PATH_STYLE: 'true',
  });
  console.log(`S3: peak +${onS3.peak.toFixed(0)} MB, after +${onS3.after.toFixed(0)} MB`);
  const round = (n: number) => Number(n.toFixed(3));
  console.log(
    JSON.stringify({
      bench: 's3-uploads',
      uploads: UPLOADS,
      upload_mb: 20,
      local_peak_growth_mb: round(local.peak),
      s3_peak_growth_mb: round(onS3.peak),
      s3_after_growth_mb: round(onS3.after),
      s3_peak_x_local: round(Math.max(1, onS3.peak) / Math.max(1, local.peak)),
    }),
  );
} finally {
  await s3.stop();
}
