// Child processes the benchmarks measure: the real Kabinet web process and the bare baselines.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const benchDir = path.dirname(fileURLToPath(import.meta.url));

/** The Node flags `npm start` runs the web process with (package.json `start:built`), so a bench measures the same. */
function startFlags(): string[] {
  const script: string = JSON.parse(fs.readFileSync(path.join(benchDir, '../package.json'), 'utf8')).scripts['start:built'];
  return /^node ((?:--\S+ )*)server\/main\.ts$/.exec(script)?.[1]?.trim().split(' ').filter(Boolean) ?? [];
}

/** Starts a process and waits for the first stdout line that `pick` accepts. */
export async function startChild<T>(args: string[], pick: (line: string) => T | undefined, env: NodeJS.ProcessEnv = process.env): Promise<{ child: ChildProcess; info: T }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
  const info = await new Promise<T>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const found = pick(line);
      if (found !== undefined) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`${args.at(-1)} exited with ${code}`)));
  });
  return { child, info };
}

/** The real web process (`npm start`'s command line, built app) on a data folder and embedded Postgres of its own. */
export async function startKabinetProcess(work: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string; pgPort: number; dataDir: string }> {
  const pgPort = 54000 + Math.floor(Math.random() * 900);
  const dataDir = path.join(work, 'data');
  const started = await startChild<string>(
    [...startFlags(), path.join(benchDir, '../server/main.ts')],
    (line) => {
      const event = line.startsWith('{') ? (JSON.parse(line) as { message?: string; url?: string }) : undefined;
      return event?.message === 'Kabinet is listening' ? event.url!.replace('localhost', '127.0.0.1') : undefined;
    },
    { ...process.env, NODE_ENV: 'production', PORT: '0', DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(pgPort), RUN_WORKER: 'false', LOG_LEVEL: 'info', ...env },
  );
  return { child: started.child, url: started.info, pgPort, dataDir };
}

export const stopChild = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGTERM'))));

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
