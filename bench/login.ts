// `npm run bench:login`: the real web process (built app, `npm start`'s command line) with 20
// clients loading a student's cabinet page and downloading a small published file, alone and then
// while 100 people sign in at once with the right password. Prints a JSON line last:
// {"bench":"login","logins_p99_ms":…,"logins_per_s":…,"other_p99_ms":…,"other_p99_alone_ms":…,"rss_growth_mb":…}
// plus how many sign-ins were told "busy" (503 with Retry-After) and how many failed otherwise.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  memoryOf,
  openDemoCabinet,
  publishInFirstSlot,
  resetPeakMemory,
  signIn,
  startKabinetProcess,
  stopChild,
} from './processes.ts';

const clients = Number(process.env.BENCH_LOGIN_CLIENTS ?? 20);
const logins = Number(process.env.BENCH_LOGINS ?? 100);
const aloneSeconds = 8;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const round = (n: number) => Math.round(n * 10) / 10;

async function logIn(url: string, email: string): Promise<{ status: number; ms: number; retryAfter: string | null }> {
  const started = performance.now();
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ email, password: 'kabinet-demo', redirectTo: '/' }),
  });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started, retryAfter: response.headers.get('retry-after') };
}

/** Clients that alternate between the cabinet page and the file until `until` resolves; each request's time. */
async function otherTraffic(url: string, cookie: string, paths: string[], until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.then(() => (done = true));
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = client; !done; i++) {
        const started = performance.now();
        const response = await fetch(`${url}${paths[i % paths.length]}`, { headers: { cookie } });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${paths[i % paths.length]}: ${response.status}`);
        times.push(performance.now() - started);
      }
    }),
  );
  return times;
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kabinet-bench-login-'));
  const kabinet = await startKabinetProcess(work);
  try {
    // A student's cabinet page, and a small document published in it.
    const { cookie: instructor, cabinetId, db } = await openDemoCabinet(kabinet.url, kabinet.pgPort, kabinet.dataDir);
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2000, 7)]);
    const fileId = await publishInFirstSlot(
      kabinet.url,
      db,
      instructor,
      cabinetId,
      'practical_material',
      pdf,
      'syllabus.pdf',
    );
    const accounts = (
      await db.query<{ email: string }>(`select email from app_user where password_hash is not null order by email`)
    ).rows.map((row) => row.email);
    await db.end();
    const cookie = await signIn(kabinet.url, 'student@demo.kabinet.kg');
    const paths = [`/cabinets/${cabinetId}`, `/files/${fileId}`];

    // Warm-up, then the clients alone.
    await otherTraffic(kabinet.url, cookie, paths, new Promise((resolve) => setTimeout(resolve, 2000)));
    const alone = await otherTraffic(
      kabinet.url,
      cookie,
      paths,
      new Promise((resolve) => setTimeout(resolve, aloneSeconds * 1000)),
    );

    // The same clients while everyone signs in at once.
    const pid = kabinet.child.pid!;
    const before = memoryOf(pid).rss;
    resetPeakMemory(pid);
    const started = performance.now();
    const signIns = Promise.all(
      Array.from({ length: logins }, (_, i) => logIn(kabinet.url, accounts[i % accounts.length]!)),
    );
    const during = await otherTraffic(kabinet.url, cookie, paths, signIns);
    const results = await signIns;
    const seconds = (performance.now() - started) / 1000;
    const peak = memoryOf(pid).peak;

    const signedIn = results.filter((result) => result.status === 302);
    const busy = results.filter((result) => result.status === 503 && result.retryAfter !== null);
    const failed = results.length - signedIn.length - busy.length;
    const statuses = results.reduce<Record<string, number>>(
      (counts, result) => ({
        ...counts,
        [`${result.status}${result.retryAfter ? '+retry' : ''}`]:
          (counts[`${result.status}${result.retryAfter ? '+retry' : ''}`] ?? 0) + 1,
      }),
      {},
    );
    process.stderr.write(`statuses: ${JSON.stringify(statuses)}\n`);
    process.stderr.write(
      `sign-ins: ${signedIn.length} in, ${busy.length} told busy (503, Retry-After), ${failed} failed; other requests alone ${alone.length}, during ${during.length}\n`,
    );
    console.log(
      JSON.stringify({
        bench: 'login',
        logins_p99_ms: round(
          percentile(
            signedIn.map((result) => result.ms),
            99,
          ),
        ),
        logins_per_s: round(signedIn.length / seconds),
        other_p99_ms: round(percentile(during, 99)),
        other_p99_alone_ms: round(percentile(alone, 99)),
        rss_growth_mb: round((peak - before) / 2 ** 20),
        busy: busy.length,
        failed,
      }),
    );
  } finally {
    await stopChild(kabinet.child);
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
