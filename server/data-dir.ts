// DATA_DIR belongs to one web process when it holds the embedded PostgreSQL: a second `npm start`
// on the same folder is refused with a clear message instead of fighting over the database, and a
// process that died without cleaning up (kill -9) leaves a lock the next start recognises as stale.
// The folder is the owner's only: nobody else on the machine reads the database or the media.
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { processIsAlive } from '../db/embedded.ts';

const lockName = 'kabinet-web.pid';

/** Whether `pid` is a live Node process (not a recycled pid of something else). */
function liveNode(pid: number): boolean {
  if (!processIsAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true; // no /proc: believe the pid
  }
}

/** Makes DATA_DIR owner-only (0700) and, for the web process of an embedded database, takes its lock; returns the release. */
export async function claimDataDir(dataDir: string, options: { lock: boolean }): Promise<() => Promise<void>> {
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const { mode } = await fs.stat(dataDir);
  if ((mode & 0o077) !== 0) await fs.chmod(dataDir, 0o700);
  if (!options.lock) return async () => undefined;
  const lock = path.join(dataDir, lockName);
  // Created only if absent ('wx'): of two starts at the same moment, one gets the lock.
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(lock, `${process.pid}\n`, { mode: 0o600, flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const holder = Number(await fs.readFile(lock, 'utf8').catch(() => ''));
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && liveNode(holder)) {
      throw new Error(
        `Another Kabinet web process (pid ${holder}) is running with DATA_DIR=${dataDir}. Stop it first, or give this one another DATA_DIR and EMBEDDED_PG_PORT.`,
      );
    }
    // Left by a process that is gone (kill -9): taken over.
    await fs.rm(lock, { force: true });
  }
  return async () => {
    const still = await fs.readFile(lock, 'utf8').catch(() => '');
    if (Number(still) === process.pid) await fs.rm(lock, { force: true });
  };
}
