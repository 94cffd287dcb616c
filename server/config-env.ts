// The environment Kabinet reads, as one schema: every variable, its default and its limits
// (config.ts turns it into the configuration; .env.example lists the same variables).
import { z } from 'zod';
import { sessionIdleDefaults } from './auth/session-limits.ts';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

export const envSchema = z.object({
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
  REMOVED_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
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
