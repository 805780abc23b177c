import { DEFAULT_LIMITS, StoreLimits } from '@app/store';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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
    STORE_BACKEND: z.enum(['sqlite', 'eventstoredb']).default('sqlite'),
    STORE_DATA_DIR: z.string().min(1).default('./data'),
    EVENTSTORE_CONNECTION_STRING: z
      .string()
      .regex(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kdb|kdb\+discover):\/\/\S+$/, 'must be an esdb:// (or esdb+discover://) connection string')
      .optional(),
    STORE_CONFIG: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    MAX_VALUE_BYTES: wholeNumber(DEFAULT_LIMITS.maxValueBytes, 1, 64 * 1024 * 1024),
    MAX_TRANSACTION_OPS: wholeNumber(DEFAULT_LIMITS.maxTransactionOps, 1, 10_000),
    MAX_TRANSACTION_BYTES: wholeNumber(DEFAULT_LIMITS.maxTransactionBytes, 1, 256 * 1024 * 1024),
    RESTORE_MAX_BYTES: wholeNumber(1024 ** 3, 1, 1024 ** 4),
  })
  .refine((env) => env.STORE_BACKEND !== 'eventstoredb' || env.EVENTSTORE_CONNECTION_STRING, {
    path: ['EVENTSTORE_CONNECTION_STRING'],
    message: 'is required when STORE_BACKEND=eventstoredb',
  });

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly backend: 'sqlite' | 'eventstoredb';
  readonly dataDir: string;
  readonly eventStoreConnectionString?: string;
  readonly storeConfigFile?: string;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly limits: StoreLimits;
  /** Largest request body accepted: a transaction's values, base64-encoded, plus room for JSON. */
  readonly maxRequestBytes: number;
  /** Largest archive a restore accepts (compressed bytes). */
  readonly maxArchiveBytes: number;
}

export class ConfigError extends Error {}

/** Validates the environment once; the first problem is reported as one line. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const parsed = ENV_SCHEMA.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    const given = env[name] === undefined ? '' : ` (got ${JSON.stringify(env[name]).slice(0, 80)})`;
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
    backend: e.STORE_BACKEND,
    dataDir: e.STORE_DATA_DIR,
    eventStoreConnectionString: e.EVENTSTORE_CONNECTION_STRING,
    storeConfigFile: e.STORE_CONFIG,
    logLevel: e.LOG_LEVEL,
    limits,
    maxRequestBytes: Math.ceil((limits.maxTransactionBytes * 4) / 3) + 1024 * 1024,
    maxArchiveBytes: e.RESTORE_MAX_BYTES,
  };
}

/** The one place that reads the process environment. */
export const loadConfigFromEnvironment = (): AppConfig => loadConfig(process.env);

export const APP_CONFIG = Symbol('AppConfig');
