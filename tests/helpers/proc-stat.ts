// What Linux tells about a process or a thread in /proc/<path>/stat (proc(5)), for tests of priorities.
import { readFileSync } from 'node:fs';

/** `path` is a pid or `self/task/<tid>`; `name` is the command (`ffmpeg`), fields 2, 4 and 19 of proc(5). */
export function procStat(path: string): { name: string; ppid: number; nice: number } {
  const text = readFileSync(`/proc/${path}/stat`, 'utf8');
  // The name may hold spaces and parentheses: it ends at the last ')'.
  const end = text.lastIndexOf(')');
  const fields = text.slice(end + 2).split(' ');
  return { name: text.slice(text.indexOf('(') + 1, end), ppid: Number(fields[1]), nice: Number(fields[16]) };
}
