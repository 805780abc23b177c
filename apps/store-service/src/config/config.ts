import { connectionStringProblem } from '@app/event-store';
import { accessSync, constants, statSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { DEFAULT_LIMITS, Failpoint, FAILPOINTS, StoreLimits } from '@app/store';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const AUTH_MODES = ['off', 'on', 'off-insecure'] as const;

/** Whether HOST is a loopback address (or name): only processes of this machine can reach it. */
export function isLoopbackHost(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost' || name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
  const v4 = name.replace(/^::ffff:/, '');
  return isIPv4(v4) && v4.startsWith('127.');
}

/** A host name or IP literal as a Host header names it (without the port), or `*` for any. */
const HOST_NAME_RE = /^(\*|[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:.]+\])$/;

const wholeNumber = (fallback: number, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number from ${min} to ${max}`)
    .optional()
    .transform((n) => n ?? fallback);

const ENV_SCHEMA = z
  .object({
    PORT: wholeNumber(3000, 0, 65535),
    HOST: z.string().min(1).default('127.0.0.1'),
    GRPC_PORT: z.string().regex(/^\d+$/, 'must be a whole number from 0 to 65535').transform(Number)
      .refine((n) => n <= 65535, 'must be a whole number from 0 to 65535').optional(),
    MICROSERVICE_PORT: z.string().regex(/^\d+$/, 'must be a whole number from 0 to 65535').transform(Number)
      .refine((n) => n <= 65535, 'must be a whole number from 0 to 65535').optional(),
    STORE_BACKEND: z.enum(['sqlite', 'eventstoredb'], { error: () => 'is "sqlite" or "eventstoredb"' }).default('sqlite'),
    STORE_DATA_DIR: z.string().min(1).default('./data'),
    EVENTSTORE_CONNECTION_STRING: z
      .string()
      .superRefine((value, ctx) => {
        const problem = connectionStringProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: `is not an esdb:// connection string: ${problem}` });
      })
      .optional(),
    STORE_CONFIG: z.string().min(1).optional(),
    STORE_CURSOR_SECRET_FILE: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: () => `is one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    MAX_VALUE_BYTES: wholeNumber(DEFAULT_LIMITS.maxValueBytes, 1, 64 * 1024 * 1024),
    MAX_TRANSACTION_OPS: wholeNumber(DEFAULT_LIMITS.maxTransactionOps, 1, 10_000),
    MAX_TRANSACTION_BYTES: wholeNumber(DEFAULT_LIMITS.maxTransactionBytes, 1, 256 * 1024 * 1024),
    FEED_HEARTBEAT_MS: wholeNumber(15_000, 10, 3_600_000),
    FEED_BUFFER_BYTES: wholeNumber(1024 * 1024, 1024, 1024 * 1024 * 1024),
    FEED_MAX_STREAMS_PER_CALLER: wholeNumber(16, 1, 100_000),
    FEED_MAX_STREAMS: wholeNumber(1024, 1, 1_000_000),
    FEED_TOTAL_BUFFER_BYTES: wholeNumber(64 * 1024 * 1024, 1024, 64 * 1024 ** 3),
    READ_WAIT_TIMEOUT_MS: wholeNumber(5000, 0, 600_000),
    WRITE_WAIT_TIMEOUT_MS: wholeNumber(10_000, 1, 600_000),
    RESTORE_MAX_BYTES: wholeNumber(1024 ** 3, 1, 1024 ** 4),
    RESTORE_MAX_UNCOMPRESSED_BYTES: wholeNumber(8 * 1024 ** 3, 1, 1024 ** 5),
    RESTORE_MIN_FREE_BYTES: wholeNumber(64 * 1024 ** 2, 0, 1024 ** 5),
    HTTP_HEADERS_TIMEOUT_MS: wholeNumber(10_000, 10, 600_000),
    HTTP_REQUEST_TIMEOUT_MS: wholeNumber(300_000, 10, 3_600_000),
    HTTP_IDLE_TIMEOUT_MS: wholeNumber(120_000, 10, 3_600_000),
    HTTP_KEEP_ALIVE_TIMEOUT_MS: wholeNumber(65_000, 10, 3_600_000),
    HTTP_MAX_CONNECTIONS: wholeNumber(4096, 1, 1_000_000),
    // Testing aids (README "Reliability"): never set in production.
    STORE_MAX_PAGE_COUNT: z
      .string()
      .regex(/^\d+$/, 'must be a whole number of pages from 1 to 4294967294')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 4294967294, 'must be a whole number of pages from 1 to 4294967294')
      .optional(),
    HEXASTORE_FAILPOINT: z.enum(FAILPOINTS, { error: () => `is one of ${FAILPOINTS.join(', ')}` }).optional(),
    ACCESS_AUDIT_RETENTION_DAYS: wholeNumber(30, 1, 36_500),
    RATE_LIMIT_REQUESTS: wholeNumber(0, 0, 1_000_000_000),
    RATE_LIMIT_WINDOW_MS: wholeNumber(60_000, 100, 86_400_000),
    STORE_AUTH: z.enum(AUTH_MODES, { error: () => `is one of ${AUTH_MODES.join(', ')}` }).default('off'),
    STORE_JWT_SECRET_FILE: z.string().min(1).optional(),
    STORE_MASTER_KEY_FILE: z.string().min(1).optional(),
    STORE_JWT_PUBLIC_KEY_FILE: z.string().min(1).optional(),
    STORE_JWT_ISSUER: z.string().min(1).optional(),
    STORE_JWT_AUDIENCE: z.string().min(1).optional(),
    ALLOWED_HOSTS: z
      .string()
      .transform((list) => list.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean))
      .pipe(z.array(z.string().regex(HOST_NAME_RE, 'must be a comma-separated list of host names (no ports), or *')))
      .optional()
      .transform((names) => names ?? []),
  })
  .refine((env) => env.HTTP_HEADERS_TIMEOUT_MS <= env.HTTP_REQUEST_TIMEOUT_MS, {
    path: ['HTTP_HEADERS_TIMEOUT_MS'],
    message: 'must not exceed HTTP_REQUEST_TIMEOUT_MS',
  })
  .refine((env) => env.STORE_AUTH !== 'off' || isLoopbackHost(env.HOST), {
    path: ['STORE_AUTH'],
    message: 'is off while HOST is not a loopback address: anyone who reaches the port could read and change everything; ' +
      'set STORE_AUTH=on (README "Security"), or STORE_AUTH=off-insecure to run open on purpose',
  })
  .refine((env) => env.STORE_AUTH !== 'on' || env.STORE_CONFIG || env.STORE_JWT_SECRET_FILE || env.STORE_JWT_PUBLIC_KEY_FILE, {
    path: ['STORE_AUTH'],
    message: 'is on but no credential is configured: declare apiKeys in the STORE_CONFIG file, or set STORE_JWT_SECRET_FILE or STORE_JWT_PUBLIC_KEY_FILE',
  })
  .refine((env) => env.STORE_BACKEND !== 'eventstoredb' || env.EVENTSTORE_CONNECTION_STRING, {
    path: ['EVENTSTORE_CONNECTION_STRING'],
    message: 'is required when STORE_BACKEND=eventstoredb',
  });

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  /** gRPC (`hexastore.v1.Store`) on HOST at this port; off when unset. */
  readonly grpcPort?: number;
  /** The NestJS microservice transport (TCP) on HOST at this port; off when unset. */
  readonly microservicePort?: number;
  readonly backend: 'sqlite' | 'eventstoredb';
  readonly dataDir: string;
  readonly eventStoreConnectionString?: string;
  readonly storeConfigFile?: string;
  /** The secret list cursors are signed with (default: `cursor-secret` in the data directory, made on first start). */
  readonly cursorSecretFile?: string;
  /** 32 random bytes (raw, base64 or hex) that wrap the data keys in the key vault. */
  readonly masterKeyFile?: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly limits: StoreLimits;
  /** How long a read with `minPosition` waits for the local read models to reach it. */
  readonly readWaitTimeoutMs: number;
  /** eventstoredb: how long a write waits for the local read models (to catch up, and to project it). */
  readonly writeWaitTimeoutMs: number;
  /** Largest request body accepted: a transaction's values, base64-encoded, plus room for JSON. */
  readonly maxRequestBytes: number;
  /** Largest archive a restore accepts (compressed bytes). */
  readonly maxArchiveBytes: number;
  /** What a restore may take of the machine: the archive's uncompressed bytes, and free space to leave on the data dir's file system. */
  readonly restore: { readonly maxUncompressedBytes: number; readonly minFreeBytes: number };
  readonly feed: FeedConfig;
  readonly http: HttpServerConfig;
  readonly auth: AuthConfig;
  readonly accessAudit: AccessAuditConfig;
  readonly rateLimit: RateLimitConfig;
  readonly testing: TestingAids;
}

export interface AccessAuditConfig {
  /** Records of calls older than this many days are pruned. */
  readonly retentionDays: number;
}

/** Calls per caller (the authenticated user; the client address while authentication is off) per window; 0: no limit. */
export interface RateLimitConfig {
  readonly requests: number;
  readonly windowMs: number;
}

/** Settings that exist only so the reliability tests can reproduce failures; unset in production. */
export interface TestingAids {
  /** sqlite: `PRAGMA max_page_count` of the data file (a small value makes the disk "full"). */
  readonly maxPageCount?: number;
  /** The crash point at which the process kills itself with SIGKILL (libs/store shared/failpoints.ts). */
  readonly failpoint?: Failpoint;
}

export interface HttpServerConfig {
  /** Time for a client to send a request's headers, from its first byte (or its connection). */
  readonly headersTimeoutMs: number;
  /** Time for a client to send a whole request, body included (a restore's upload too). */
  readonly requestTimeoutMs: number;
  /** A connection with no traffic either way for this long is closed (feed streams are exempt: they have heartbeats). */
  readonly idleTimeoutMs: number;
  /** How long a kept-alive connection waits for its next request. */
  readonly keepAliveTimeoutMs: number;
  /** Connections open at once; more are closed as they arrive. */
  readonly maxConnections: number;
  /** Host header names accepted beside loopback names, IP literals and HOST (`*`: any). */
  readonly allowedHosts: readonly string[];
}

export interface AuthConfig {
  /** `on`: every call but /health/* needs a bearer credential; `off-insecure`: open on a non-loopback HOST, on purpose. */
  readonly mode: (typeof AUTH_MODES)[number];
  /** The HS256 secret JWTs are signed with. */
  readonly jwtSecretFile?: string;
  /** The RS256 (RSA) or ES256 (P-256) public key JWTs are signed for, PEM. */
  readonly jwtPublicKeyFile?: string;
  /** When set, a JWT's `iss` must be this. */
  readonly jwtIssuer?: string;
  /** When set, a JWT's `aud` must name this. */
  readonly jwtAudience?: string;
}

export interface FeedConfig {
  readonly heartbeatMs: number;
  /** A subscriber whose unsent data passes this is disconnected (it resumes with Last-Event-ID). */
  readonly bufferBytes: number;
  readonly maxStreamsPerCaller: number;
  /** Open streams of the whole service; more are refused with 503 FEED_FULL. */
  readonly maxStreams: number;
  /** Unsent data of all streams together; past it, the streams holding the most are disconnected. */
  readonly totalBufferBytes: number;
}

export class ConfigError extends Error {}

/** Values never repeated in an error message: a connection string may carry a password. */
const SECRET = new Set(['EVENTSTORE_CONNECTION_STRING']);

/** Validates the environment once; the first problem is reported as one line. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const parsed = ENV_SCHEMA.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    const given = env[name] === undefined || SECRET.has(name) ? '' : ` (got ${JSON.stringify(env[name]).slice(0, 80)})`;
    throw new ConfigError(`invalid configuration: ${name} ${issue.message}${given}`);
  }
  const e = parsed.data;
  const limits = {
    ...DEFAULT_LIMITS,
    maxValueBytes: e.MAX_VALUE_BYTES,
    maxTransactionOps: e.MAX_TRANSACTION_OPS,
    maxTransactionBytes: Math.max(e.MAX_TRANSACTION_BYTES, e.MAX_VALUE_BYTES),
  };
  return {
    port: e.PORT,
    host: e.HOST,
    grpcPort: e.GRPC_PORT,
    microservicePort: e.MICROSERVICE_PORT,
    backend: e.STORE_BACKEND,
    dataDir: e.STORE_DATA_DIR,
    eventStoreConnectionString: e.EVENTSTORE_CONNECTION_STRING,
    storeConfigFile: e.STORE_CONFIG,
    cursorSecretFile: e.STORE_CURSOR_SECRET_FILE,
    masterKeyFile: e.STORE_MASTER_KEY_FILE,
    logLevel: e.LOG_LEVEL,
    limits,
    readWaitTimeoutMs: e.READ_WAIT_TIMEOUT_MS,
    writeWaitTimeoutMs: e.WRITE_WAIT_TIMEOUT_MS,
    maxRequestBytes: Math.ceil((limits.maxTransactionBytes * 4) / 3) + 1024 * 1024,
    feed: {
      heartbeatMs: e.FEED_HEARTBEAT_MS,
      bufferBytes: e.FEED_BUFFER_BYTES,
      maxStreamsPerCaller: e.FEED_MAX_STREAMS_PER_CALLER,
      maxStreams: e.FEED_MAX_STREAMS,
      totalBufferBytes: e.FEED_TOTAL_BUFFER_BYTES,
    },
    maxArchiveBytes: e.RESTORE_MAX_BYTES,
    restore: { maxUncompressedBytes: e.RESTORE_MAX_UNCOMPRESSED_BYTES, minFreeBytes: e.RESTORE_MIN_FREE_BYTES },
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      idleTimeoutMs: e.HTTP_IDLE_TIMEOUT_MS,
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
      allowedHosts: e.ALLOWED_HOSTS,
    },
    auth: {
      mode: e.STORE_AUTH,
      jwtSecretFile: e.STORE_JWT_SECRET_FILE,
      jwtPublicKeyFile: e.STORE_JWT_PUBLIC_KEY_FILE,
      jwtIssuer: e.STORE_JWT_ISSUER,
      jwtAudience: e.STORE_JWT_AUDIENCE,
    },
    accessAudit: { retentionDays: e.ACCESS_AUDIT_RETENTION_DAYS },
    rateLimit: { requests: e.RATE_LIMIT_REQUESTS, windowMs: e.RATE_LIMIT_WINDOW_MS },
    testing: { maxPageCount: e.STORE_MAX_PAGE_COUNT, failpoint: e.HEXASTORE_FAILPOINT },
  };
}

/**
 * Checks, at process start, the files the configuration names: the STORE_CONFIG file and the
 * STORE_CURSOR_SECRET_FILE must be readable files (a missing one is a mistake, not "no config";
 * only the default cursor secret in the data directory is made when absent). The store reads them again on start.
 */
export function checkConfiguredFiles(config: AppConfig): void {
  checkReadableFile('STORE_CONFIG', config.storeConfigFile);
  checkReadableFile('STORE_CURSOR_SECRET_FILE', config.cursorSecretFile);
  checkReadableFile('STORE_JWT_SECRET_FILE', config.auth.jwtSecretFile);
  checkReadableFile('STORE_MASTER_KEY_FILE', config.masterKeyFile);
  checkReadableFile('STORE_JWT_PUBLIC_KEY_FILE', config.auth.jwtPublicKeyFile);
}

function checkReadableFile(name: string, file: string | undefined): void {
  if (file === undefined) return;
  try {
    if (!statSync(file).isFile()) throw Object.assign(new Error('not a file'), { code: 'not a regular file' });
    accessSync(file, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(`invalid configuration: ${name} cannot read ${file} (${code}${FILE_ERRORS[code] ? `: ${FILE_ERRORS[code]}` : ''})`);
  }
}

/** Plain words for the system's file error codes, for one-line start-up errors. */
export const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EEXIST: 'it exists and is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EISDIR: 'it is a directory',
  ENOSPC: 'no space left on the device',
};

/** The one place that reads the process environment. */
export const loadConfigFromEnvironment = (): AppConfig => loadConfig(process.env);

export const APP_CONFIG = Symbol('AppConfig');
