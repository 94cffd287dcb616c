// Builds the Remix app once for the browser tests, into its own folder so a developer's build/ is left alone.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

export async function buildApp(outDir: string): Promise<void> {
  const remix = path.resolve('node_modules/@remix-run/dev/dist/cli.js');
  await promisify(execFile)(process.execPath, [remix, 'vite:build'], {
    env: { ...process.env, NODE_ENV: 'production', KABINET_BUILD_DIR: outDir },
    maxBuffer: 16 * 1024 * 1024,
  });
}

/**
 * The folder the first test file to ask builds into; the others wait for it. One per test run,
 * inside the project so that a process started from the build finds node_modules.
 */
export const sharedBuildRoot = (runPid = process.ppid) =>
  path.resolve('node_modules/.cache', `kabinet-build-${runPid}`);

export async function sharedBuild(): Promise<string> {
  const root = sharedBuildRoot();
  const out = path.join(root, 'build');
  const done = path.join(root, 'done');
  // A fresh clone has no node_modules/.cache yet.
  await fs.mkdir(path.dirname(root), { recursive: true });
  try {
    await fs.mkdir(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Another test file is building: wait for it (a failed build leaves `failed`).
    for (;;) {
      if (existsSync(done)) return out;
      if (existsSync(path.join(root, 'failed'))) throw new Error('the shared app build failed in another test file');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    await buildApp(out);
    await fs.writeFile(done, '');
    return out;
  } catch (error) {
    await fs.writeFile(path.join(root, 'failed'), String(error));
    throw error;
  }
}
