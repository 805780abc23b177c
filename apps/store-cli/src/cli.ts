import { addAuditCommands } from './audit-commands';
import { StoreClient, StoreRequestError, StoreUnavailableError } from '@app/client';
import { addAccessCommands } from './access-commands';
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { addAdminCommands } from './admin-commands';
import { addApiCommands } from './api-commands';
import { addLockCommands } from './lock-commands';
import { addSchemaCommands } from './schema-commands';
import { CommandEnv, CommandExit } from './command-env';
import { UsageError } from './inputs';
import { addEntryCommands } from './kv-commands';
import { addOpsCommands } from './ops-commands';
import { output } from './output';
import { addVerifyCommand, DamageFound } from './verify-command';
import { addMasterKeyCommand } from './master-key-command';
import { addKeyCommands } from './key-commands';
import { addWatchCommand } from './watch-command';

/**
 * Exit codes: 0 done, 1 refused by the store (its problem code printed), 2 usage, 3 store
 * unreachable or failed, or the connection to it lost in the middle of a call (one line, no stack).
 */
export const EXIT = { ok: 0, refused: 1, usage: 2, unavailable: 3 } as const;

const DEFAULT_URL = 'http://127.0.0.1:3000';

/** The version in the package.json above this file (in the sources and in the build alike). */
function packageVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hexastore' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look further up
    }
  }
  return 'unknown';
}

export function buildProgram(): Command {
  const program = new Command('hexastore')
    .description('The HexaStore command line: entries, transactions, the change feed, TTL, history, rollback, snapshots, reload, backup, restore, rebuild and verify.')
    .exitOverride()
    .version(packageVersion(), '-V, --version', 'print the version')
    .addOption(new Option('--url <url>', 'the store service').env('HEXASTORE_URL').default(DEFAULT_URL))
    .addOption(new Option('--token <token>', 'the bearer credential (an API key <id>.<secret> or a JWT) for a service with STORE_AUTH=on; '
      + 'prefer HEXASTORE_TOKEN: other users of the machine can see a command line').env('HEXASTORE_TOKEN'))
    .option('--json', 'print results (and refusals) as JSON on stdout')
    .option('--progress', 'draw progress bars even when stderr is not a terminal')
    .option('--no-progress', 'never draw progress bars')
    .showHelpAfterError('(run with --help for usage)');
  const env = (): CommandEnv => {
    const o = program.opts<{ url: string; token?: string; json?: boolean; progress?: boolean }>();
    // An empty HEXASTORE_URL (or HEXASTORE_TOKEN) counts as unset.
    const token = o.token || undefined;
    if (token !== undefined && !/^[\x21-\x7e]+$/.test(token)) throw new UsageError('--token (HEXASTORE_TOKEN) must be visible ASCII characters (an API key or a JWT)');
    return { client: new StoreClient({ url: o.url || DEFAULT_URL, token }), out: output(o.json === true), progress: o.progress ?? process.stderr.isTTY === true };
  };
  addEntryCommands(program, env);
  addWatchCommand(program, env);
  addOpsCommands(program, env);
  addAdminCommands(program, env);
  addVerifyCommand(program, env);
  addMasterKeyCommand(program, env);
  addApiCommands(program, env);
  addLockCommands(program, env);
  addSchemaCommands(program, env);
  addAuditCommands(program, env);
  addAccessCommands(program, env);
  addKeyCommands(program, env);
  return program;
}

/** Runs one command line; answers the exit code. */
export async function run(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
    return EXIT.ok;
  } catch (error) {
    return report(error, program.opts<{ json?: boolean }>().json === true);
  }
}

function report(error: unknown, json: boolean): number {
  if (error instanceof CommanderError) {
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof DamageFound) {
    process.stderr.write(`hexastore: ${error.message}\n`);
    return EXIT.refused;
  }
  if (error instanceof CommandExit) return error.exitCode;
  if (error instanceof UsageError) {
    process.stderr.write(`hexastore: ${error.message}\n`);
    return EXIT.usage;
  }
  const problem = error instanceof StoreRequestError ? error.problem : storeErrorProblem(error);
  if (problem) {
    if (json) process.stdout.write(`${JSON.stringify(problem, null, 2)}\n`);
    process.stderr.write(`hexastore: ${problem.code}: ${problem.detail}\n`);
    return EXIT.refused;
  }
  const lost = connectionLost(error);
  const message = error instanceof StoreUnavailableError ? error.message
    : lost !== undefined ? `the connection to the store was lost: ${lost}`
    : ((error as Error)?.stack ?? String(error));
  process.stderr.write(`hexastore: ${message}\n`);
  return EXIT.unavailable;
}

/** Offline commands throw the store's own errors: shown like the service's problems. */
function storeErrorProblem(error: unknown): { code: string; detail: string; [k: string]: unknown } | undefined {
  const candidate = error as { code?: unknown; message?: string; details?: Record<string, unknown>; constructor?: { name?: string } };
  if (candidate?.constructor?.name === 'CorruptEventError') {
    return { eventId: (error as { eventId?: string }).eventId, code: 'LOG_CORRUPTED', detail: candidate.message ?? '' };
  }
  if (candidate?.constructor?.name !== 'StoreError' || typeof candidate.code !== 'string') return undefined;
  return { ...candidate.details, code: candidate.code, detail: candidate.message ?? '' };
}

const NETWORK_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Why a call's connection failed, when that is what `error` is: fetch's `TypeError: terminated`
 * (a response body cut off) or `fetch failed`, undici's socket errors, or a socket error code.
 */
export function connectionLost(error: unknown): string | undefined {
  const chain: { name?: string; message?: string; code?: string }[] = [];
  for (let e = error as { cause?: unknown } | undefined, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as never, depth++) {
    chain.push(e as never);
  }
  const network = chain.some((e, i) =>
    (i === 0 && e.name === 'TypeError' && (e.message === 'terminated' || e.message === 'fetch failed'))
    || (typeof e.code === 'string' && (e.code.startsWith('UND_ERR_') || NETWORK_CODES.has(e.code))));
  if (!network) return undefined;
  const reason = chain.at(-1)!;
  const what = reason.code && reason.message ? `${reason.message} (${reason.code})` : (reason.message || reason.code || 'terminated');
  const partial = chain[0].message === 'terminated' ? '; the transfer was cut short' : '';
  return `${what}${partial}`;
}
