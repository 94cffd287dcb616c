// The container and service files, checked as far as a machine without a container registry
// allows (docs/operations.md says what was and was not run): the Dockerfile's runtime stage holds
// everything the processes load (no runtime import reaches a devDependency or app/ sources), runs
// unprivileged with a health check and Debian's ffmpeg; compose.yaml describes the scaled-out shape
// with the shipped nginx config; the systemd units pass `systemd-analyze verify`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
};
const dockerfile = readFileSync('Dockerfile', 'utf8');
const stages = dockerfile.split(/^FROM /m).slice(1);
const runtime = stages.at(-1)!;

/** The .ts files a process loads (tests aside). */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [full] : [];
  });
}

/** Modules a file imports at run time (`import type` is erased). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(/^\s*import\s+(?!type\s)(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm))
    found.push(match[1]!);
  for (const match of text.matchAll(/(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(match[1]!);
  return found;
}

/** Loaded only under `npm run dev` (NODE_ENV=development), never in the image. */
const developmentOnly: Record<string, string[]> = { 'server/http/web-app.ts': ['vite'] };

const packageOf = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;

describe('the container image', () => {
  it('builds in one stage and runs from another, unprivileged, with Debian ffmpeg and a health check', () => {
    expect(stages).toHaveLength(2);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/apt-get install[^\n]*\bffmpeg\b/);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(runtime).toMatch(/^ENTRYPOINT \["\/usr\/bin\/tini", "--"\]$/m);
    const command = JSON.parse(/^CMD (\[.*\])$/m.exec(runtime)![1]!) as string[];
    expect(existsSync(command.at(-1)!)).toBe(true);
  });

  it('copies every source the build stage names, and the runtime stage holds what the processes load', () => {
    for (const [, from] of stages[0]!.matchAll(/^COPY (\S+) \S+$/gm)) expect(existsSync(from!), from).toBe(true);
    const copied = [...runtime.matchAll(/^COPY --from=build \/app\/(\S+)/gm)].map((match) => match[1]!.split(' ')[0]!);
    expect(copied).toEqual(expect.arrayContaining(['node_modules', 'build', 'server', 'workers', 'db']));
    const shipped = new Set([
      ...Object.keys(packageJson.dependencies),
      ...Object.keys(packageJson.optionalDependencies),
    ]);
    const problems: string[] = [];
    for (const file of ['server', 'workers', 'db'].flatMap(sources)) {
      for (const specifier of runtimeImports(file)) {
        if (specifier.startsWith('node:')) continue;
        if (specifier.startsWith('.')) {
          const target = path.relative('.', path.resolve(path.dirname(file), specifier)).split(path.sep)[0]!;
          if (!copied.includes(target)) problems.push(`${file} imports ${specifier}, which the image does not hold`);
        } else if (!shipped.has(packageOf(specifier)) && !developmentOnly[file]?.includes(specifier)) {
          problems.push(`${file} imports ${specifier}, a devDependency the image prunes`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('leaves out of the build context what must not reach an image', () => {
    const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
    for (const entry of ['.git', '.data', '.env', 'node_modules', 'build']) expect(ignored).toContain(entry);
  });
});

describe('compose.yaml', () => {
  const compose = parse(readFileSync('compose.yaml', 'utf8'), { merge: true }) as {
    services: Record<
      string,
      { command?: string[]; environment?: Record<string, string>; volumes?: string[]; depends_on?: unknown }
    >;
    volumes: Record<string, unknown>;
  };

  it('runs PostgreSQL, MinIO, two web processes sharing a spool, two workers and nginx', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgres', 'minio', 'web1', 'web2', 'worker1', 'worker2', 'nginx']),
    );
    for (const web of ['web1', 'web2']) {
      const service = compose.services[web]!;
      expect(service.environment).toMatchObject({
        RUN_WORKER: 'false',
        UPLOAD_SPOOL_DIR: '/spool',
        TRUST_PROXY: '1',
        S3_FORCE_PATH_STYLE: 'true',
      });
      expect(service.volumes).toContain('spool:/spool');
    }
    for (const worker of ['worker1', 'worker2'])
      expect(compose.services[worker]!.command).toEqual(['node', '--max-semi-space-size=4', 'workers/main.ts']);
    // Every named volume a service mounts is declared.
    for (const service of Object.values(compose.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('.')) expect(Object.keys(compose.volumes), source).toContain(source);
        else expect(existsSync(source) || source === './certs', source).toBe(true);
      }
    }
  });

  it('gives nginx the shipped site config, with the names its sed rewrites still in it', () => {
    const site = readFileSync('docs/deploy/nginx/kabinet.conf', 'utf8');
    const script = compose.services.nginx!.command!.join(' ');
    for (const name of ['127.0.0.1:3000', '127.0.0.1:3001', 'kabinet.example.edu', '/etc/letsencrypt/live/']) {
      expect(script).toContain(name);
      expect(site).toContain(name);
    }
  });
});

describe('the systemd units', () => {
  const units = ['kabinet-web.service', 'kabinet-worker.service'].map((name) =>
    path.resolve('docs/deploy/systemd', name),
  );
  const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((candidate) => existsSync(candidate));

  it('name the entry points that exist and drain on stop', () => {
    for (const unit of units) {
      const text = readFileSync(unit, 'utf8');
      const entry = /^ExecStart=\S+ .* (\S+\.ts)$/m.exec(text)![1]!;
      expect(existsSync(entry)).toBe(true);
      expect(text).toMatch(/^Restart=on-failure$/m);
      expect(text).toMatch(/^KillMode=mixed$/m);
    }
  });

  it.skipIf(!analyze)('pass systemd-analyze verify without a complaint', () => {
    const output = execFileSync(analyze!, ['verify', ...units], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(output.trim()).toBe('');
  });
});
