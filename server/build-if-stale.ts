// `npm start`'s first step: builds the app only when there is no build or a source is newer than
// it, so that a restart takes seconds and a production machine without devDependencies never
// tries to build. The sources are what Vite bundles (app/, the server and db modules the app
// imports, public/) and what changes its output (configs, the lockfile).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

const buildDir = path.resolve(process.env.KABINET_BUILD_DIR || 'build');
const builtMarker = path.join(buildDir, 'server/index.js');
const sourceDirs = ['app', 'server', 'db', 'public'];
const sourceFiles = ['remix.config.js', 'vite.config.ts', 'package.json', 'package-lock.json', 'tsconfig.json'];

/** The newest modification time among the sources (tests excluded: they are not built). */
async function newestSource(): Promise<number> {
  let newest = 0;
  const visit = async (entry: string): Promise<void> => {
    const stat = await fs.stat(entry).catch(() => null);
    if (!stat) return;
    if (stat.isDirectory()) {
      for (const name of await fs.readdir(entry)) await visit(path.join(entry, name));
    } else if (!/\.test\.tsx?$/.test(entry)) {
      newest = Math.max(newest, stat.mtimeMs);
    }
  };
  for (const entry of [...sourceDirs, ...sourceFiles]) await visit(entry);
  return newest;
}

const built = existsSync(builtMarker) ? (await fs.stat(builtMarker)).mtimeMs : null;
const newest = await newestSource();
if (built !== null && built >= newest) {
  console.log(`build is up to date (${path.relative(process.cwd(), buildDir) || buildDir})`);
} else {
  const remix = path.resolve('node_modules/@remix-run/dev/dist/cli.js');
  if (!existsSync(remix)) {
    console.error(
      built === null
        ? 'There is no build and the build tools are not installed (npm ci --omit=dev). Build first: `npm ci && npm run build`, then `npm ci --omit=dev`.'
        : 'The sources are newer than the build but the build tools are not installed: starting the existing build.',
    );
    if (built === null) process.exit(1);
  } else {
    console.log(
      built === null ? 'building the app (first start)' : 'sources changed since the last build: building the app',
    );
    execFileSync(process.execPath, [remix, 'vite:build'], {
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
  }
}
