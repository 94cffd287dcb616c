// Lowers the priority of the calling thread only (not its process): background work on a worker
// thread then leaves the cores to the threads that answer requests. Linux names a thread by its id
// in `/proc/thread-self`; elsewhere the thread keeps the process's priority.
import fs from 'node:fs';
import os from 'node:os';
import { basename } from 'node:path';

export function lowerThisThreadsPriority(nice: number): void {
  try {
    os.setPriority(Number(basename(fs.readlinkSync('/proc/thread-self'))), nice);
  } catch {
    // Not Linux: the thread keeps the process's priority.
  }
}
