import { ChildProcess, ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const CLI = resolve(__dirname, '../../dist/apps/store-cli/src/main.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const start = (args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams =>
  spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, HEXASTORE_URL: '', ...env } });

/** Runs the built CLI to its end; stdin is closed unless given. `env` adds to (or overrides) the environment. */
export function hexastore(args: string[], input?: string | Buffer, env?: Record<string, string>): Promise<Run> {
  return new Promise((done, fail) => {
    const child = start(args, env);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** A CLI command that keeps running (watch): its output so far, and its end. */
export class RunningCli {
  stdout = '';
  stderr = '';
  readonly child: ChildProcessWithoutNullStreams;
  readonly ended: Promise<Run>;

  constructor(args: string[]) {
    this.child = start(args);
    this.child.stdout.on('data', (chunk) => (this.stdout += chunk));
    this.child.stderr.on('data', (chunk) => (this.stderr += chunk));
    this.ended = new Promise((done) => this.child.on('close', (code) => done({ code, stdout: this.stdout, stderr: this.stderr })));
  }

  get lines(): string[] {
    return this.stdout.split('\n').filter(Boolean);
  }

  /** Waits until it has printed at least `count` lines (or ended), at most 20 s. */
  async printed(count: number): Promise<string[]> {
    const deadline = Date.now() + 20_000;
    while (this.lines.length < count) {
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`${count} lines not printed (exit ${this.child.exitCode}): ${this.stdout}\n${this.stderr}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.lines;
  }

  /** Sends a signal (Ctrl-C is SIGINT) and answers how it ended. */
  stop(signal: NodeJS.Signals = 'SIGINT'): Promise<Run> {
    this.child.kill(signal);
    return this.ended;
  }
}

/** Stops a process started by a test with SIGTERM and waits for its exit. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
