// `npm run bench:zip`: the instructor's "download all" zip of 200 submitted files of 20 MB each,
// streamed by the real web process, against reading the same files from disk, same run. The page
// cache is dropped before each (root only; otherwise both read from memory and the note says so).
// Prints a JSON line last: the throughput ratio and the web process's peak memory growth.
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { storageKeys } from '../server/storage/media-storage.ts';
import { median, memoryOf, openDemoCabinet, resetPeakMemory, startKabinetProcess, stopChild } from './processes.ts';
import zlib from 'node:zlib';

const MiB = 1024 * 1024;
const files = Number(process.env.BENCH_ZIP_FILES ?? 200);
const fileBytes = Number(process.env.BENCH_ZIP_FILE_MIB ?? 20) * MiB;
const runs = Number(process.env.BENCH_RUNS ?? 3);

/** Empties the page cache so that both sides read from the disk; false when not allowed. */
function dropCaches(): boolean {
  try {
    fs.writeFileSync('/proc/sys/vm/drop_caches', '1');
    return true;
  } catch {
    return false;
  }
}

const counter = () => {
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  return { sink, bytes: () => bytes };
};

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-bench-zip-'));
  let child;
  try {
    const kabinet = await startKabinetProcess(work);
    child = kabinet.child;
    const { cookie, cabinetId, db } = await openDemoCabinet(kabinet.url, kabinet.pgPort, kabinet.dataDir);
    const stored: string[] = [];
    let assignmentId: string;
    try {
      // An assignment in the first assessment slot, through the cabinet page's form.
      const slot = (
        await db.query<{ id: string }>(
          `select id from slot where cabinet_id = $1 and kind = 'interim_assessment' order by number limit 1`,
          [cabinetId],
        )
      ).rows[0]!;
      const form = {
        intent: 'create-assignment',
        slotId: slot.id,
        title: 'Bench',
        instructions: '',
        opensAt: '',
        dueAt: '2099-01-01T12:00',
        latePolicy: 'accept_late',
        maxScore: '10',
        allowedExtensions: '',
        maxFiles: '20',
        maxFileMib: '100',
      };
      const created = await fetch(`${kabinet.url}/cabinets/${cabinetId}`, {
        method: 'POST',
        headers: { cookie },
        body: new URLSearchParams(form),
        redirect: 'manual',
      });
      if (created.status >= 400) throw new Error(`creating the assignment: ${created.status}`);
      assignmentId = (
        await db.query<{ id: string }>(
          `select a.id from assignment a join item i on i.id = a.item_id where i.slot_id = $1`,
          [slot.id],
        )
      ).rows[0]!.id;
      // The groups' students hand in the files (rows as the upload path writes them, files in media storage).
      const students = (
        await db.query<{ id: string }>(
          `select gs.student_id as id from group_student gs join teaching_assignment_group tg on tg.group_id = gs.group_id join cabinet c on c.teaching_assignment_id = tg.teaching_assignment_id where c.id = $1`,
          [cabinetId],
        )
      ).rows;
      const submissionOf = new Map<string, string>();
      for (const student of students) {
        const row = await db.query<{ id: string }>(
          `insert into submission (assignment_id, student_id, version, late) values ($1, $2, 1, false) returning id`,
          [assignmentId, student.id],
        );
        submissionOf.set(student.id, row.rows[0]!.id);
      }
      const chunk = randomBytes(MiB);
      for (let i = 0; i < files; i++) {
        const id = randomUUID();
        const key = storageKeys.original(id, 'pdf');
        const file = path.join(kabinet.dataDir, 'media', key);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const out = fs.openSync(file, 'w');
        let crc32 = 0;
        for (let written = 0; written < fileBytes; written += MiB) {
          const piece = chunk.subarray(0, Math.min(MiB, fileBytes - written));
          fs.writeSync(out, piece, null, null);
          crc32 = zlib.crc32(piece, crc32);
        }
        fs.closeSync(out);
        stored.push(file);
        const student = students[i % students.length]!.id;
        await db.query(
          `insert into submission_file (id, assignment_id, student_id, submission_id, upload_id, storage_key, original_name, byte_size, sha256, crc32, content_type)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'application/pdf')`,
          [
            id,
            assignmentId,
            student,
            submissionOf.get(student),
            id.replaceAll('-', ''),
            key,
            `work-${i}.pdf`,
            fileBytes,
            'a'.repeat(64),
            crc32,
          ],
        );
      }
    } finally {
      await db.end();
    }
    const total = files * fileBytes;
    const fromDisk = dropCaches();

    const readAll = async () => {
      for (const file of stored) await pipeline(fs.createReadStream(file), counter().sink);
    };
    const downloadZip = async () => {
      const response = await new Promise<http.IncomingMessage>((resolve, reject) =>
        http
          .get(`${kabinet.url}/assignments/${assignmentId}/submissions.zip`, { headers: { cookie } }, resolve)
          .on('error', reject),
      );
      if (response.statusCode !== 200) throw new Error(`zip: ${response.statusCode}`);
      const { sink, bytes } = counter();
      await pipeline(response, sink);
      if (bytes() < total) throw new Error(`zip: ${bytes()} bytes, expected at least ${total}`);
    };
    const timed = async (work: () => Promise<void>) => {
      dropCaches();
      const started = performance.now();
      await work();
      return (performance.now() - started) / 1000;
    };

    const before = memoryOf(child.pid!);
    resetPeakMemory(child.pid!);
    const disk: number[] = [];
    const zip: number[] = [];
    for (let run = 0; run < runs; run++) {
      disk.push(await timed(readAll));
      zip.push(await timed(downloadZip));
      process.stderr.write(
        `run ${run + 1}: disk ${(total / MiB / disk[run]!).toFixed(0)} MiB/s, zip ${(total / MiB / zip[run]!).toFixed(0)} MiB/s\n`,
      );
    }
    const after = memoryOf(child.pid!);
    console.log(
      JSON.stringify({
        bench: 'zip',
        ratio: Number((median(disk) / median(zip)).toFixed(3)),
        rss_growth_mb: Number(((after.peak - before.rss) / MiB).toFixed(1)),
        files,
        file_mib: fileBytes / MiB,
        runs,
        from_disk: fromDisk,
        disk_mib_s: Number((total / MiB / median(disk)).toFixed(0)),
        zip_mib_s: Number((total / MiB / median(zip)).toFixed(0)),
      }),
    );
  } finally {
    if (child) await stopChild(child);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
