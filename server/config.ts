// The one schema for process.env: parsed once at start, fails fast with a readable message.
import os from 'node:os';
import path from 'node:path';
import { envSchema, type Env } from './config-env.ts';

const MiB = 1024 ** 2;

export type MediaConfig = {
  /** ffmpeg and ffprobe to run; unset: ffmpeg-static when it has a binary, else the system's. */
  ffmpegPath: string | undefined;
  ffprobePath: string | undefined;
  /** ffmpeg processes one transcode splits its ladder into (Debian's 5.1 runs one filter thread each). */
  transcodeProcesses: number;
  /** Per-attempt temp folders of the worker. */
  workDir: string;
  /** HMAC key of `/media` tokens; unset: one is made and kept under DATA_DIR (one machine only). */
  tokenSecret: string | undefined;
  tokenTtlMs: number;
};

export type Config = {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  embeddedPgPort: number;
  seedDemo: boolean;
  sessionTtlMs: number;
  /** A session unused this long ends: staff (anyone holding a role) and students. */
  sessionIdleMs: { staff: number; students: number };
  /** Reverse proxies in front whose X-Forwarded-For is believed (0: none). */
  trustProxy: number;
  publicOrigin: string | undefined;
  mediaDir: string;
  spoolDir: string;
  /** Per file by kind, and per person over their unfinished uploads (how many, how many bytes declared). */
  uploadLimits: { video: number; document: number; openPerPerson: number; openBytesPerPerson: number };
  uploadChunkBytes: number;
  abandonedUploadMs: number;
  /** How long a removed item or file (and a replaced version) can be restored before its stored objects are deleted. */
  removedRetentionMs: number;
  /** How often a web process sets its upload spool right with the database (uploads.ts `sweepSpool`). */
  spoolSweepMs: number;
  runWorker: boolean;
  workerConcurrency: number;
  media: MediaConfig;
  s3: S3Config | undefined;
  /** E-mail for reminders; unset: reminders are in-app only. */
  mail: { url: string; from: string } | undefined;
  logLevel: Env['LOG_LEVEL'];
  /** Single sign-on; unset: passwords only. */
  oidc: OidcConfig | undefined;
  /** Who may sign in with a password: everyone, staff only (students use single sign-on), or nobody. */
  passwordLogin: PasswordLogin;
  http: HttpConfig;
  /** The bearer token that opens `GET /metrics`; unset: no metrics over HTTP. */
  metricsToken: string | undefined;
  /** A standalone worker serves `/metrics` on this port (the web process serves it on its own port). */
  metricsPort: number | undefined;
  /** Where `npm run build` put the app (`build`). */
  buildDir: string;
};

export type HttpConfig = {
  /** Largest body of a non-upload request: url-encoded forms and multipart forms (a GIFT file, an import). */
  bodyLimits: { form: number; multipart: number };
  /** A request body arriving slower than this, measured over the window, is cut (uploads too: they resume). */
  slowBody: { minBytesPerSecond: number; windowMs: number };
  /** How long running requests may finish after SIGTERM before the process closes them. */
  shutdownGraceMs: number;
};

export type PasswordLogin = Env['PASSWORD_LOGIN'];

export type OidcConfig = {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  /** The claim that holds the person's e-mail (`email`; `preferred_username` or `upn` on Entra ID). */
  emailClaim: string;
  /** A claim holding the registrar's id of the person (matched against imported external ids). */
  externalIdClaim: string | undefined;
  /** Believe the e-mail claim without `email_verified` (a directory the university runs, e.g. Entra ID). */
  trustEmail: boolean;
  /** E-mail domains accepted (lower case); empty: any. */
  emailDomains: string[];
  /** What the button names ("KNU ID"); unset: a translated "single sign-on". */
  displayName: string | undefined;
  scopes: string;
  /** Someone the university's provider knows but Kabinet does not becomes a student (else is refused). */
  createStudents: boolean;
};

export type S3Config = {
  bucket: string;
  endpoint: string | undefined;
  region: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  forcePathStyle: boolean;
  /** Downloads redirect to presigned links at the store (false: Kabinet streams them, for a store browsers cannot reach). */
  directDownloads: boolean;
};

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  // Empty strings in .env files mean "not set".
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw invalidEnvironment(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    dataDir,
    databaseUrl: env.DATABASE_URL,
    embeddedPgPort: env.EMBEDDED_PG_PORT,
    // The demo is there for a newcomer's `npm start`; an operator who says NODE_ENV=production gets it only by asking.
    seedDemo: env.SEED_DEMO ?? cleaned.NODE_ENV !== 'production',
    sessionTtlMs: env.SESSION_TTL_DAYS * 24 * 3600 * 1000,
    sessionIdleMs: {
      staff: env.SESSION_IDLE_HOURS_STAFF * 3600 * 1000,
      students: env.SESSION_IDLE_DAYS_STUDENTS * 24 * 3600 * 1000,
    },
    trustProxy: env.TRUST_PROXY,
    publicOrigin: env.PUBLIC_ORIGIN ? new URL(env.PUBLIC_ORIGIN).origin : undefined,
    mediaDir: path.resolve(env.MEDIA_DIR ?? path.join(dataDir, 'media')),
    spoolDir: path.resolve(env.UPLOAD_SPOOL_DIR ?? path.join(dataDir, 'uploads')),
    uploadLimits: {
      video: env.UPLOAD_MAX_VIDEO_BYTES,
      document: env.UPLOAD_MAX_DOCUMENT_BYTES,
      openPerPerson: env.UPLOAD_MAX_OPEN_PER_PERSON,
      openBytesPerPerson: Math.round(env.UPLOAD_MAX_OPEN_GIB_PER_PERSON * 1024 ** 3),
    },
    uploadChunkBytes: env.UPLOAD_CHUNK_MIB * MiB,
    abandonedUploadMs: env.UPLOAD_ABANDON_HOURS * 3600 * 1000,
    removedRetentionMs: env.REMOVED_RETENTION_DAYS * 24 * 3600 * 1000,
    spoolSweepMs: env.SPOOL_SWEEP_MINUTES * 60_000,
    runWorker: env.RUN_WORKER,
    // Jobs of each queue at once: a lecture's first stage and another's ladder run side by side on
    // any machine (two queues); more of each from 8 cores on (decision 032).
    workerConcurrency: env.WORKER_CONCURRENCY ?? Math.max(1, Math.floor(os.availableParallelism() / 4)),
    media: {
      ffmpegPath: env.FFMPEG_PATH,
      ffprobePath: env.FFPROBE_PATH,
      transcodeProcesses: env.TRANSCODE_PROCESSES ?? Math.min(4, os.availableParallelism()),
      workDir: path.resolve(env.WORK_DIR ?? path.join(dataDir, 'work')),
      tokenSecret: env.MEDIA_TOKEN_SECRET,
      tokenTtlMs: env.MEDIA_TOKEN_HOURS * 3600 * 1000,
    },
    s3: env.S3_BUCKET
      ? {
          bucket: env.S3_BUCKET,
          endpoint: env.S3_ENDPOINT,
          region: env.S3_REGION,
          accessKeyId: env.S3_ACCESS_KEY_ID,
          secretAccessKey: env.S3_SECRET_ACCESS_KEY,
          forcePathStyle: env.S3_FORCE_PATH_STYLE,
          directDownloads: env.S3_DIRECT_DOWNLOADS,
        }
      : undefined,
    mail: env.SMTP_URL ? { url: env.SMTP_URL, from: env.SMTP_FROM } : undefined,
    logLevel: env.LOG_LEVEL,
    oidc: oidcConfig(env),
    passwordLogin: env.PASSWORD_LOGIN,
    buildDir: path.resolve(env.KABINET_BUILD_DIR),
    metricsToken: env.METRICS_TOKEN,
    metricsPort: env.METRICS_PORT,
    http: {
      bodyLimits: { form: env.FORM_BODY_LIMIT_KB * 1000, multipart: env.MULTIPART_BODY_LIMIT_MIB * MiB },
      slowBody: { minBytesPerSecond: env.SLOW_BODY_MIN_BYTES_PER_SECOND, windowMs: env.SLOW_BODY_SECONDS * 1000 },
      shutdownGraceMs: env.SHUTDOWN_GRACE_SECONDS * 1000,
    },
  };
}

function invalidEnvironment(problems: string[]): Error {
  return new Error(`Invalid environment:\n${problems.map((line) => `  ${line}`).join('\n')}\nSee .env.example.`);
}

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whether a URL's hostname is this machine (where plain http is acceptable). */
export const isLoopbackHost = (hostname: string): boolean => loopbackHosts.has(hostname);

function oidcConfig(env: Env): OidcConfig | undefined {
  const problems: string[] = [];
  if (!env.OIDC_ISSUER) {
    if (env.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID is set but OIDC_ISSUER is not');
    if (env.PASSWORD_LOGIN !== 'all')
      problems.push(`PASSWORD_LOGIN=${env.PASSWORD_LOGIN} needs single sign-on (OIDC_ISSUER), or nobody could sign in`);
    if (problems.length) throw invalidEnvironment(problems);
    return undefined;
  }
  const issuer = new URL(env.OIDC_ISSUER);
  // Tokens and the client secret travel to the provider: in the clear only on this machine.
  const loopback = isLoopbackHost(issuer.hostname);
  if (issuer.protocol !== 'https:' && !loopback) problems.push('OIDC_ISSUER: must be https (http only on loopback)');
  if (!env.OIDC_CLIENT_ID) problems.push('OIDC_CLIENT_ID: required with OIDC_ISSUER');
  // The provider sends people back to PUBLIC_ORIGIN/auth/oidc/callback, not to whatever Host a request names.
  if (!env.PUBLIC_ORIGIN && !loopback)
    problems.push('PUBLIC_ORIGIN: required with OIDC_ISSUER (the callback address registered at the provider)');
  const emailDomains = (env.OIDC_EMAIL_DOMAINS ?? '')
    .split(/[\s,]+/)
    .map((domain) => domain.trim().toLowerCase().replace(/^@/, ''))
    .filter(Boolean);
  if (emailDomains.some((domain) => !/^[a-z0-9.-]+\.[a-z]{2,}$/.test(domain)))
    problems.push('OIDC_EMAIL_DOMAINS: comma-separated domains like university.kg');
  // Without a domain list, these would let any account the provider vouches for in: every Gmail user, every Entra tenant.
  if (emailDomains.length === 0 && env.OIDC_CREATE_STUDENTS)
    problems.push('OIDC_CREATE_STUDENTS: needs OIDC_EMAIL_DOMAINS');
  if (emailDomains.length === 0 && env.OIDC_TRUST_EMAIL) problems.push('OIDC_TRUST_EMAIL: needs OIDC_EMAIL_DOMAINS');
  // A multi-tenant Entra ID issuer accepts tokens from any tenant, whose admins write any e-mail they like.
  if (env.OIDC_TRUST_EMAIL && /^\/(common|organizations|consumers)(\/|$)/i.test(issuer.pathname))
    problems.push('OIDC_TRUST_EMAIL: only with a single-tenant issuer (the tenant id, not common or organizations)');
  if (problems.length) throw invalidEnvironment(problems);
  return {
    // Compared with the ID token's `iss` as the provider writes it: kept as configured.
    issuer: env.OIDC_ISSUER,
    clientId: env.OIDC_CLIENT_ID!,
    clientSecret: env.OIDC_CLIENT_SECRET,
    emailClaim: env.OIDC_EMAIL_CLAIM,
    externalIdClaim: env.OIDC_EXTERNAL_ID_CLAIM,
    trustEmail: env.OIDC_TRUST_EMAIL,
    emailDomains,
    displayName: env.OIDC_DISPLAY_NAME,
    scopes: env.OIDC_SCOPES,
    createStudents: env.OIDC_CREATE_STUDENTS,
  };
}
