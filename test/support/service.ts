import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

export const MAIN = resolve(__dirname, '../../dist/apps/store-service/src/main.js');

/**
 * The built service (`npm run build`) as a child process; resolves once it answers /health/ready.
 * `port` starts it where an earlier one listened (a restart); by default a random one.
 */
export async function startChild(
  dataDir: string,
  env: Record<string, string> = {},
  options: { port?: number } = {},
): Promise<{ url: string; child: ChildProcess; port: number }> {
  // Below Linux's ephemeral range (32768+), where the tests' own outgoing connections could hold it.
  const port = options.port ?? 20000 + Math.floor(Math.random() * 12000);
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...env, STORE_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
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
 * on VERSION_CONFLICT at most 500 times. Answers the position of the write.
 */
export async function incrementCounter(entryUrl: string, onConflict: () => void = () => undefined): Promise<string> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const current = await http('GET', entryUrl);
    const value = current.status === 200 ? Number(current.body.value) : 0;
    const expectedVersion = current.status === 200 ? current.body.version : 0;
    const put = await http('PUT', entryUrl, { value: String(value + 1), expectedVersion });
    if (put.status === 200 || put.status === 201) return put.body.position;
    if (put.body?.code !== 'VERSION_CONFLICT') throw new Error(`unexpected answer ${put.status}: ${JSON.stringify(put.body)}`);
    onConflict();
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
