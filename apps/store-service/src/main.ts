import 'reflect-metadata';
import { CorruptEventError, DataFileError } from '@app/event-store';
import { MasterKeyInvalidError, MasterKeyWrongError, openKeyVault, StoreBackend, StoreError } from '@app/store';
import { mkdirSync, statSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { openBackend } from './app.module';
import { AppConfig, checkConfiguredFiles, ConfigError, FILE_ERRORS, loadConfigFromEnvironment } from './config/config';
import { createHttpApp } from './http-app';

/** A start-up problem with its one line for stderr (no stack trace: the line says what to fix). */
class StartupError extends Error {}

async function main(): Promise<void> {
  const config = loadConfigFromEnvironment();
  checkConfiguredFiles(config);
  checkDataDir(config.dataDir);
  checkMasterKey(config);
  // Before the app starts (and logs that it did): a port taken is the commonest start-up mistake.
  for (const port of [config.port, config.grpcPort, config.microservicePort]) {
    if (port !== undefined) await checkPortFree(config.host, port);
  }
  const backend = openStore(config);
  const app = await createHttpApp(config, () => backend);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app.close().catch(() => undefined);
    throw listenError(error, config);
  }
  const port = (app.getHttpServer().address() as AddressInfo | null)?.port ?? config.port;
  announceWhenReady(backend, `hexastore listening on http://${urlHost(config.host)}:${port} (${config.backend}, data ${config.dataDir})`);
}

/**
 * The one line that says the service is up, on stdout whatever LOG_LEVEL: printed once, as soon as
 * the store can serve (at once for sqlite; an eventstoredb replica once it has connected).
 */
function announceWhenReady(backend: StoreBackend, line: string): void {
  const announce = () => process.stdout.write(`${line}\n`);
  if (backend.unready() === undefined) return void announce();
  const timer = setInterval(() => {
    if (backend.unready() !== undefined) return;
    clearInterval(timer);
    announce();
  }, 100);
  timer.unref();
}

const urlHost = (host: string) => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

const describeCode = (code: string | undefined) => (code === undefined ? 'failed' : `${FILE_ERRORS[code] ?? 'failed'} (${code})`);

function checkDataDir(dataDir: string): void {
  const path = resolve(dataDir);
  try {
    mkdirSync(path, { recursive: true });
    if (!statSync(path).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  } catch (error) {
    throw new StartupError(`cannot use STORE_DATA_DIR ${path}: ${describeCode((error as NodeJS.ErrnoException).code)}`);
  }
}

/** A master key that is not 32 bytes, or not the one the data dir's key vault was made with, stops the start. */
function checkMasterKey(config: AppConfig): void {
  if (config.masterKeyFile === undefined) return;
  try {
    openKeyVault(resolve(config.dataDir), config.masterKeyFile).close();
  } catch (error) {
    if (error instanceof MasterKeyInvalidError) throw new StartupError(`STORE_MASTER_KEY_FILE ${config.masterKeyFile} ${error.message}`);
    if (error instanceof MasterKeyWrongError) throw new StartupError(`STORE_MASTER_KEY_FILE ${config.masterKeyFile}: ${error.message}`);
    throw error;
  }
}

function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', (error) => fail(listenError(error, { host, port })));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => done()));
  });
}

function listenError(error: unknown, config: Pick<AppConfig, 'host' | 'port'>): Error {
  const code = (error as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    EADDRINUSE: 'the address is already in use',
    EACCES: 'permission denied (a port below 1024 needs privileges)',
    EADDRNOTAVAIL: 'the address is not one of this machine',
    ENOTFOUND: 'the host name does not resolve',
  };
  if (code === undefined || !(code in why)) return error as Error;
  return new StartupError(`cannot listen on ${config.host}:${config.port}: ${why[code]} (${code})`);
}

/**
 * Opens the log and the read models; a file that cannot be opened is named with the database's own code,
 * a file refused by the checks at open (identity, quick_check, checksums) with the reason.
 */
function openStore(config: AppConfig): StoreBackend {
  const file = join(resolve(config.dataDir), config.backend === 'sqlite' ? 'hexastore.db' : 'read-models.db');
  try {
    return openBackend(config);
  } catch (error) {
    // Not ours, empty, damaged or too new: the file named, nothing written to it.
    if (error instanceof DataFileError) throw new StartupError(`${file} ${error.reason}`);
    if (error instanceof CorruptEventError) throw new StartupError(`${file} is damaged: ${error.message} (hexastore verify --data-dir lists every damaged event)`);
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string') throw error;
    const detail = code.startsWith('SQLITE_') ? `${oneLine((error as Error).message)} (${code})` : describeCode(code);
    throw new StartupError(`cannot open the database ${file}: ${detail}`);
  }
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

function startupLine(error: unknown): string {
  if (error instanceof ConfigError || error instanceof StartupError) return error.message;
  if (error instanceof StoreError && error.code === 'CONFIG_INVALID') return `invalid config file: ${error.message}`;
  const code = (error as { code?: unknown })?.code;
  return `cannot start: ${oneLine((error as Error)?.message ?? String(error))}${typeof code === 'string' ? ` (${code})` : ''}`;
}

main().catch((error: unknown) => {
  process.stderr.write(`hexastore: ${startupLine(error)}\n`);
  process.exit(1);
});
