import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('runs with nothing configured: embedded Postgres, local media under .data', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.s3).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.mediaDir).toBe(path.resolve('.data/media'));
    expect(config.uploadLimits).toEqual({ video: 8 * 1024 ** 3, document: 200 * 1024 ** 2 });
    expect(config.abandonedUploadMs).toBe(24 * 3600 * 1000);
  });

  it('switches to S3 when a bucket is named and treats empty values as unset', () => {
    const config = loadConfig({ S3_BUCKET: 'media', S3_ENDPOINT: 'http://127.0.0.1:9000', S3_FORCE_PATH_STYLE: 'true', DATABASE_URL: '' });
    expect(config.s3).toMatchObject({ bucket: 'media', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true });
    expect(config.databaseUrl).toBeUndefined();
  });

  it('seeds the demo for a plain start, but in declared production only when asked', () => {
    expect(loadConfig({}).seedDemo).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).seedDemo).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', SEED_DEMO: 'true' }).seedDemo).toBe(true);
    expect(loadConfig({ SEED_DEMO: 'false' }).seedDemo).toBe(false);
  });

  it('takes TRUST_PROXY as a number of proxies', () => {
    expect([loadConfig({}).trustProxy, loadConfig({ TRUST_PROXY: 'true' }).trustProxy, loadConfig({ TRUST_PROXY: '2' }).trustProxy]).toEqual([0, 1, 2]);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
  });

  it('fails fast with a readable message', () => {
    expect(() => loadConfig({ PORT: 'eighty', SEED_DEMO: 'maybe' })).toThrow(/Invalid environment:\n {2}PORT: .*\n {2}SEED_DEMO: /);
  });
});
