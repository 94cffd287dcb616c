import { execFileSync } from 'node:child_process';
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
    expect(config.uploadLimits).toEqual({
      video: 8 * 1024 ** 3,
      document: 200 * 1024 ** 2,
      openPerPerson: 10,
      openBytesPerPerson: 32 * 1024 ** 3,
    });
    expect(config.abandonedUploadMs).toBe(24 * 3600 * 1000);
  });

  it('switches to S3 when a bucket is named and treats empty values as unset', () => {
    const config = loadConfig({
      S3_BUCKET: 'media',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_FORCE_PATH_STYLE: 'true',
      DATABASE_URL: '',
    });
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
    expect([
      loadConfig({}).trustProxy,
      loadConfig({ TRUST_PROXY: 'true' }).trustProxy,
      loadConfig({ TRUST_PROXY: '2' }).trustProxy,
    ]).toEqual([0, 1, 2]);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
  });

  it('fails fast with a readable message', () => {
    expect(() => loadConfig({ PORT: 'eighty', SEED_DEMO: 'maybe' })).toThrow(
      /Invalid environment:\n {2}PORT: .*\n {2}SEED_DEMO: /,
    );
  });

  it('configures single sign-on only when it can work', () => {
    expect(loadConfig({}).oidc).toBeUndefined();
    const sso = {
      OIDC_ISSUER: 'https://sso.university.kg/realms/kabinet',
      OIDC_CLIENT_ID: 'kabinet',
      PUBLIC_ORIGIN: 'https://kabinet.university.kg',
    };
    const config = loadConfig({
      ...sso,
      OIDC_EMAIL_DOMAINS: '@University.kg, college.university.kg',
      PASSWORD_LOGIN: 'staff',
    });
    expect(config.oidc).toMatchObject({
      issuer: 'https://sso.university.kg/realms/kabinet',
      emailClaim: 'email',
      emailDomains: ['university.kg', 'college.university.kg'],
      createStudents: false,
      scopes: 'openid email profile',
    });
    expect(config.passwordLogin).toBe('staff');
    expect(loadConfig({ OIDC_ISSUER: 'http://127.0.0.1:8080', OIDC_CLIENT_ID: 'kabinet' }).oidc?.issuer).toBe(
      'http://127.0.0.1:8080',
    );
    expect(() => loadConfig({ OIDC_ISSUER: 'http://sso.university.kg', OIDC_CLIENT_ID: 'kabinet' })).toThrow(
      /OIDC_ISSUER: must be https/,
    );
    expect(() => loadConfig({ OIDC_ISSUER: 'https://sso.university.kg' })).toThrow(/OIDC_CLIENT_ID: required/);
    // Nobody could sign in: no passwords and no provider.
    expect(() => loadConfig({ PASSWORD_LOGIN: 'none' })).toThrow(/PASSWORD_LOGIN=none needs single sign-on/);
    expect(() => loadConfig({ ...sso, OIDC_EMAIL_DOMAINS: 'not a domain' })).toThrow(/OIDC_EMAIL_DOMAINS/);
    expect(() => loadConfig({ ...sso, OIDC_SCOPES: 'email profile' })).toThrow(/OIDC_SCOPES/);
    // The callback is PUBLIC_ORIGIN's, never a Host header's.
    expect(() => loadConfig({ OIDC_ISSUER: 'https://sso.university.kg', OIDC_CLIENT_ID: 'k' })).toThrow(
      /PUBLIC_ORIGIN: required/,
    );
    // Open doors: any verified account as a student, any e-mail claim believed, any Entra tenant's.
    expect(() => loadConfig({ ...sso, OIDC_CREATE_STUDENTS: 'true' })).toThrow(
      /OIDC_CREATE_STUDENTS: needs OIDC_EMAIL_DOMAINS/,
    );
    expect(() => loadConfig({ ...sso, OIDC_TRUST_EMAIL: 'true' })).toThrow(
      /OIDC_TRUST_EMAIL: needs OIDC_EMAIL_DOMAINS/,
    );
    expect(() =>
      loadConfig({
        ...sso,
        OIDC_ISSUER: 'https://login.microsoftonline.com/organizations/v2.0',
        OIDC_TRUST_EMAIL: 'true',
        OIDC_EMAIL_DOMAINS: 'university.kg',
      }),
    ).toThrow(/single-tenant/);
    expect(
      loadConfig({
        ...sso,
        OIDC_ISSUER: 'https://login.microsoftonline.com/8f3c1e2a-1111-2222-3333-444455556666/v2.0',
        OIDC_TRUST_EMAIL: 'true',
        OIDC_EMAIL_DOMAINS: 'university.kg',
      }).oidc?.trustEmail,
    ).toBe(true);
  });

  it('seeds the demo for a start with nothing configured, while the libraries run as in production', () => {
    // A process started with exactly these variables (`env -i`): no NODE_ENV unless given.
    const started = (env: Record<string, string>) =>
      JSON.parse(
        execFileSync(
          'env',
          [
            '-i',
            `PATH=${process.env.PATH ?? ''}`,
            ...Object.entries(env).map(([name, value]) => `${name}=${value}`),
            process.execPath,
            '--input-type=module',
            '-e',
            "await import('./server/production-default.ts'); const { loadConfig } = await import('./server/config.ts'); console.log(JSON.stringify({ node: process.env.NODE_ENV, seed: loadConfig().seedDemo }))",
          ],
          { encoding: 'utf8' },
        ),
      ) as { node: string; seed: boolean };
    expect(started({})).toEqual({ node: 'production', seed: true });
    expect(started({ NODE_ENV: 'production' })).toEqual({ node: 'production', seed: false });
    expect(started({ SEED_DEMO: 'false' })).toEqual({ node: 'production', seed: false });
  });
});
