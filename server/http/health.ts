// `GET /healthz`: whether this process can do its work, part by part: the database answers, media
// storage takes a small object and gives it back (a full disk or a gone bucket shows here), and
// the job queue's tables answer. 200 when all do, 503 naming the part that failed (with a short
// reason such as ENOSPC or timeout; the details go to the log). Probes that arrive together share
// one check. `GET /readyz` (web-app.ts) is the load balancer's question: it fails while draining.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Request, Response } from 'express';
import { sql } from 'kysely';
import type { Services } from '../services.ts';

type Part = 'database' | 'storage' | 'queue';
export type Health = { ok: boolean; storage: 'local' | 's3'; checks: Record<Part, string> };

const checkTimeoutMs = 5_000;

/** A short reason that names the failure without saying anything of the inside. */
function reason(error: unknown): string {
  const code = (error as { code?: unknown; name?: unknown }).code ?? (error as { name?: unknown }).name;
  return typeof code === 'string' && /^[A-Za-z0-9_]{2,40}$/.test(code) ? `failed: ${code}` : 'failed';
}

async function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timed out'), { code: 'timeout' })), checkTimeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Writes, reads back and removes a small object under `health/`, through a file in the spool folder. */
async function probeStorage(services: Services): Promise<void> {
  const name = `probe-${os
    .hostname()
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 40)}-${process.pid}.txt`;
  const local = path.join(services.config.spoolDir, `.health-${name}`);
  const content = `kabinet health ${Date.now()}`;
  await fs.writeFile(local, content);
  try {
    const key = `health/${name}`;
    await services.storage.putFile(key, local, 'text/plain');
    let read = '';
    for await (const chunk of await services.storage.read(key)) read += chunk;
    await services.storage.remove(key);
    if (read !== content) throw Object.assign(new Error('read back differs'), { code: 'mismatch' });
  } finally {
    await fs.rm(local, { force: true });
  }
}

/** A storage probe that passed is trusted this long: anyone may ask /healthz, and each probe writes an object (an S3 request). */
const storageTrustMs = 5_000;

export function healthCheck(services: Services): (req: Request, res: Response) => Promise<void> {
  let running: Promise<Health> | null = null;
  let storagePassedAt = -Infinity;
  const check = async (): Promise<Health> => {
    const parts: Record<Part, () => Promise<unknown>> = {
      database: () => sql`select 1`.execute(services.db),
      storage: async () => {
        if (Date.now() - storagePassedAt < storageTrustMs) return;
        await probeStorage(services);
        storagePassedAt = Date.now();
      },
      queue: () => services.queue.depths(),
    };
    const results = await Promise.all(
      Object.entries(parts).map(async ([part, run]) => {
        try {
          await withTimeout(run());
          return [part, 'ok'] as const;
        } catch (error) {
          services.logger.warn('health check failed', { part, error: String(error) });
          return [part, reason(error)] as const;
        }
      }),
    );
    const checks = Object.fromEntries(results) as Record<Part, string>;
    return { ok: results.every(([, result]) => result === 'ok'), storage: services.storage.kind, checks };
  };
  return async (_req, res) => {
    running ??= check().finally(() => (running = null));
    const health = await running;
    res
      .status(health.ok ? 200 : 503)
      .set('Cache-Control', 'no-store')
      .json(health);
  };
}
