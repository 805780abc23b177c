import { ClientOptions, EntryWriteResult, isProblem, NotFoundError, StoreClient } from '@app/client';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { AddressInfo, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../apps/store-service/src/config/config';
import { createHttpApp } from '../../apps/store-service/src/http-app';

export const tempDir = (label = 'hexastore-test-') => mkdtempSync(join(tmpdir(), label));

export interface RunningService {
  readonly url: string;
  readonly dataDir: string;
  close(): Promise<void>;
}

/** The real HTTP app in this process, listening on 127.0.0.1 with a fresh (or given) data dir. */
export async function startService(
  options: { dataDir?: string; env?: Record<string, string>; logStream?: NodeJS.WritableStream } = {},
): Promise<RunningService> {
  const dataDir = options.dataDir ?? tempDir();
  const config = loadConfig({ LOG_LEVEL: 'silent', ...options.env, STORE_DATA_DIR: dataDir, PORT: '0' });
  const app = await createHttpApp(config, undefined, { logStream: options.logStream });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, dataDir, close: () => app.close() };
}

export interface ServiceFixture {
  /** The service's address; like the rest, usable from the first beforeAll on. */
  readonly url: string;
  readonly dataDir: string;
  /** The config file given with `config`, as STORE_CONFIG. */
  readonly configFile: string;
  /** The SDK, talking to this service: the same object across restarts, usable once the service started. */
  readonly store: StoreClient;
  /** Closes the service and starts it again on the same data dir (at a new address; `store` follows it). */
  restart(): Promise<void>;
}

export interface ServiceFixtureOptions {
  env?: Record<string, string>;
  /** A config file written before the start and passed as STORE_CONFIG (its name says YAML or JSON). */
  config?: { name: string; text: string };
  /**
   * Options of the fixture's SDK client. By default it makes one attempt per call: a 5xx or a
   * dropped connection fails the test instead of being retried away.
   */
  client?: Omit<ClientOptions, 'url'>;
}

/**
 * One in-process service for the tests of a describe block (or file): started in beforeAll on a
 * fresh temp dir, closed and removed in afterAll.
 */
export function useService(options: ServiceFixtureOptions = {}): ServiceFixture {
  let dir: string | undefined;
  let configFile: string | undefined;
  let service: RunningService | undefined;
  let client: StoreClient | undefined;
  const running = (): RunningService => {
    if (!service) throw new Error('the service starts in beforeAll: use the fixture inside tests and hooks');
    return service;
  };
  const start = async (dataDir: string) => {
    const env = { ...options.env, ...(configFile ? { STORE_CONFIG: configFile } : {}) };
    service = await startService({ dataDir, env });
    client = new StoreClient({ retry: { attempts: 1 }, ...options.client, url: service.url });
  };
  // Every call goes to the client of the service as it runs now.
  const store = new Proxy({} as StoreClient, {
    get(_target, name) {
      running();
      const value = Reflect.get(client!, name, client);
      return typeof value === 'function' ? value.bind(client) : value;
    },
  });
  beforeAll(async () => {
    dir = tempDir();
    if (options.config) {
      configFile = join(dir, options.config.name);
      writeFileSync(configFile, options.config.text);
    }
    await start(join(dir, 'data'));
  });
  afterAll(async () => {
    await service?.close();
    if (dir) removeDir(dir);
  });
  return {
    get url() {
      return running().url;
    },
    get dataDir() {
      return running().dataDir;
    },
    get configFile() {
      if (!configFile) throw new Error('this fixture has no config file');
      return configFile;
    },
    store,
    async restart() {
      const { dataDir } = running();
      await service!.close();
      service = undefined;
      await start(dataDir);
    },
  };
}

export const MAIN = resolve(__dirname, '../../dist/apps/store-service/src/main.js');

/**
 * The built service (`npm run build`) as a child process; resolves once it answers /health/ready.
 * `port` starts it where an earlier one listened (a restart); by default a random one.
 */
export async function startChild(
  dataDir: string,
  env: Record<string, string> = {},
  options: { port?: number; grpcPort?: number; microservicePort?: number } = {},
): Promise<{ url: string; child: ChildProcess; port: number }> {
  // Below Linux's ephemeral range (32768+), where the tests' own outgoing connections could hold it.
  const port = options.port ?? 20000 + Math.floor(Math.random() * 12000);
  const transports = {
    ...(options.grpcPort === undefined ? {} : { GRPC_PORT: String(options.grpcPort) }),
    ...(options.microservicePort === undefined ? {} : { MICROSERVICE_PORT: String(options.microservicePort) }),
  };
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...env, ...transports, STORE_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return { url, child, port };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error('service did not become ready in 10 s');
}

export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

/** JSON over HTTP, answering status, headers and parsed body. */
export async function http(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(url, {
    method,
    // A POST is JSON also without a body (the service refuses any other POST with 415).
    headers: body === undefined && method !== 'POST' ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/**
 * One compare-and-set increment of a counter entry (read, then put with expectedVersion), retried
 * on VERSION_CONFLICT at most 500 times. Answers the write; any other refusal fails.
 */
export async function incrementCounter(store: StoreClient, namespace: string, key: string): Promise<EntryWriteResult> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const current = await store.get(namespace, key).catch((error) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    try {
      return await store.put(namespace, key, String(Number(current?.value ?? 0) + 1), { expectedVersion: current?.version ?? 0 });
    } catch (error) {
      if (!isProblem(error, 'VERSION_CONFLICT')) throw error;
    }
  }
  throw new Error('no increment in 500 attempts');
}

/** A port of 127.0.0.1 that nothing listens on (free a moment ago). */
export function vacantPort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}
