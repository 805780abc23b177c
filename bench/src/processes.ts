import { ChildProcess, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** A process the bench started; it is stopped by its pid, never by name. */
export interface Started {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  readonly exited: Promise<number | null>;
  readonly child: ChildProcess;
}

const running = new Map<number, Started>();

export function start(name: string, command: string, args: string[], options: { env?: NodeJS.ProcessEnv; logFile: string }): Started {
  const log = openSync(options.logFile, 'a');
  const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', log, log] });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`${name} did not start (${command})`);
  const pid = child.pid;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      running.delete(pid);
      resolve(code);
    });
    child.once('error', () => {
      running.delete(pid);
      resolve(null);
    });
  });
  const started = { name, pid, logFile: options.logFile, exited, child };
  running.set(pid, started);
  return started;
}

export const isAlive = (p: Started) => p.child.exitCode === null && p.child.signalCode === null;

/** SIGTERM, then SIGKILL after the grace period. */
export async function stop(p: Started, graceMs = 5000): Promise<void> {
  if (!isAlive(p)) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running.values()].map((p) => stop(p)));
}

/** Stops everything the bench started on exit, error or interrupt. */
export function installCleanup(): void {
  process.on('exit', () => {
    for (const p of running.values()) p.child.kill('SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping the processes the bench started\n`);
      void stopAll().finally(() => process.exit(130));
    });
  }
}

/** Runs a command to its end (bounded), collecting its output. */
export async function run(
  name: string, command: string, args: string[], options: { timeoutMs: number; env?: NodeJS.ProcessEnv; echo?: boolean },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name} did not start (${command})`);
  const pid = child.pid;
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  running.set(pid, { name, pid, logFile: '', exited, child });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk;
    if (options.echo) process.stdout.write(chunk);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk;
    if (options.echo) process.stderr.write(chunk);
  });
  const timer = setTimeout(() => {
    stderr += `\n${name}: stopped after ${options.timeoutMs} ms`;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  const code = await exited;
  clearTimeout(timer);
  running.delete(pid);
  return { code, stdout, stderr };
}

export function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Installs a Debian package when its binary is missing; never in CI. */
export async function ensureDebianPackage(binary: string, pkg: string): Promise<string> {
  const found = onPath(binary);
  if (found) return found;
  if (process.env.CI === 'true') {
    throw new Error(`${binary} is missing; the bench does not install packages in CI (apt-get install -y ${pkg})`);
  }
  console.log(`${binary} is missing: installing Debian's ${pkg}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', pkg]]) {
    const { code, stderr } = await run('apt-get', 'apt-get', args, { timeoutMs: 600_000, env, echo: true });
    if (code !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${code}): ${stderr.slice(-500)}`);
  }
  const installed = onPath(binary);
  if (!installed) throw new Error(`${pkg} is installed but ${binary} is not on the PATH`);
  return installed;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until ready answers true; fails when the process exits or the time is up. */
export async function waitReady(p: Started, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(p)) throw new Error(`${p.name} exited early; see ${p.logFile}`);
    try {
      if (await ready()) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${p.name} was not ready within ${timeoutMs} ms; see ${p.logFile}`);
}
