// The one schema for process.env: parsed once at start, fails fast with a readable message.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { sessionIdleDefaults } from './auth/session-limits.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATA_DIR: z.string().default('.data'),
  DATABASE_URL: z.url().optional(),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  SEED_DEMO: bool.optional(),
  SESSION_TTL_DAYS: z.coerce.number().positive().default(30),
  SESSION_IDLE_HOURS_STAFF: z.coerce.number().positive().default(sessionIdleDefaults.staffHours),
  SESSION_IDLE_DAYS_STUDENTS: z.coerce.number().positive().default(sessionIdleDefaults.studentDays),
  // How many reverse proxies in front add X-Forwarded-For (false: none; true: one).
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|yes|no|[0-9]|1[0-9])$/, 'false, true, or the number of proxies in front (0–19)')
    .default('false')
    .transform((value) =>
      value === 'true' || value === 'yes' ? 1 : value === 'false' || value === 'no' ? 0 : Number(value),
    ),
  PUBLIC_ORIGIN: z.url().optional(),
  MEDIA_DIR: z.string().optional(),
  UPLOAD_SPOOL_DIR: z.string().optional(),
  UPLOAD_MAX_VIDEO_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(8 * GiB),
  UPLOAD_MAX_DOCUMENT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(200 * MiB),
  UPLOAD_CHUNK_MIB: z.coerce.number().int().min(1).max(1024).default(64),
  UPLOAD_ABANDON_HOURS: z.coerce.number().positive().default(24),
  UPLOAD_MAX_OPEN_PER_PERSON: z.coerce.number().int().min(1).max(1000).default(10),
  UPLOAD_MAX_OPEN_GIB_PER_PERSON: z.coerce.number().positive().max(1024).default(32),
  SPOOL_SWEEP_MINUTES: z.coerce.number().positive().max(1440).default(5),
  RUN_WORKER: bool.default(true),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).optional(),
  FFMPEG_PATH: z.string().min(1).optional(),
  FFPROBE_PATH: z.string().min(1).optional(),
  TRANSCODE_PROCESSES: z.coerce.number().int().min(1).max(16).optional(),
  WORK_DIR: z.string().optional(),
  MEDIA_TOKEN_SECRET: z.string().min(32).optional(),
  MEDIA_TOKEN_HOURS: z.coerce.number().positive().max(48).default(6),
  S3_BUCKET: z.string().min(1).optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  S3_FORCE_PATH_STYLE: bool.default(false),
  S3_DIRECT_DOWNLOADS: bool.default(true),
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  SMTP_FROM: z.string().min(3).default('Kabinet <no-reply@kabinet.local>'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  // Single sign-on (OpenID Connect); see the README for Keycloak, Google Workspace and Entra ID.
  OIDC_ISSUER: z.url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).max(500).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(2000).optional(),
  OIDC_EMAIL_CLAIM: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]{1,100}$/, 'a claim name')
    .default('email'),
  OIDC_EXTERNAL_ID_CLAIM: z
    .string()
    .regex(/^[A-Za-z0-9_:.-]{1,100}$/, 'a claim name')
    .optional(),
  OIDC_TRUST_EMAIL: bool.default(false),
  OIDC_EMAIL_DOMAINS: z.string().max(2000).optional(),
  OIDC_DISPLAY_NAME: z.string().min(1).max(60).optional(),
  OIDC_SCOPES: z
    .string()
    .regex(/^openid( [\x21-\x7e]+)*$/, 'space-separated scopes starting with openid')
    .default('openid email profile'),
  OIDC_CREATE_STUDENTS: bool.default(false),
  PASSWORD_LOGIN: z.enum(['all', 'staff', 'none']).default('all'),
  // Request handling (docs/operations.md): bodies outside uploads, slow senders, stopping.
  FORM_BODY_LIMIT_KB: z.coerce.number().int().min(16).max(100_000).default(1000),
  MULTIPART_BODY_LIMIT_MIB: z.coerce.number().int().min(1).max(1024).default(70),
  SLOW_BODY_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  SLOW_BODY_MIN_BYTES_PER_SECOND: z.coerce
    .number()
    .int()
    .min(0)
    .max(10 * MiB)
    .default(1024),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').max(200).optional(),
  KABINET_BUILD_DIR: z.string().min(1).default('build'),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(25),
});

export type Env = z.infer<typeof envSchema>;

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
