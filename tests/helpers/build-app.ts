// Builds the Remix app once for the browser tests, into its own folder so a developer's build/ is left alone.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

export async function buildApp(outDir: string): Promise<void> {
  const remix = path.resolve('node_modules/@remix-run/dev/dist/cli.js');
  await promisify(execFile)(process.execPath, [remix, 'vite:build'], {
    env: { ...process.env, NODE_ENV: 'production', KABINET_BUILD_DIR: outDir },
    maxBuffer: 16 * 1024 * 1024,
  });
}
