// What Linux tells about a process or a thread in /proc/<path>/stat (proc(5)), for the priority tests
// and the benchmarks' CPU figures.
import { readFileSync } from 'node:fs';

/**
 * `path` is a pid or `self/task/<tid>`. `name` is the command (`ffmpeg`), `cpuSeconds` user plus
 * system time so far: fields 2, 4, 14 + 15 and 19 of proc(5).
 */
export function procStat(path: string | number): { name: string; ppid: number; cpuSeconds: number; nice: number } {
  const text = readFileSync(`/proc/${path}/stat`, 'utf8');
  // The name may hold spaces and parentheses: it ends at the last ')'.
  const end = text.lastIndexOf(')');
  const fields = text.slice(end + 2).split(' ');
  return {
    name: text.slice(text.indexOf('(') + 1, end),
    ppid: Number(fields[1]),
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100, // clock ticks (USER_HZ = 100)
    nice: Number(fields[16]),
  };
}
