import { resolve } from 'node:path';
import { ensureDebianPackage, run } from './processes';
import { NAMESPACE, RunningSystem } from './systems';

export type LoadMode = 'put' | 'get' | 'mix';

export interface Measurement {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Requests that failed or answered other than 2xx/3xx. */
  readonly errors: number;
}

const SCRIPT = resolve(__dirname, '../../../bench/lua/load.lua');
let runs = 0;

export const ensureWrk = () => ensureDebianPackage('wrk', 'wrk');

export async function wrkVersion(binary: string): Promise<string> {
  const { stdout, stderr } = await run('wrk --version', binary, ['--version'], { timeoutMs: 10_000 });
  return /wrk (\S+)/.exec(stdout + stderr)?.[1] ?? 'unknown';
}

/** One bounded wrk run (one thread, `connections` clients) against one system. */
export async function runWrk(
  binary: string, system: RunningSystem, mode: LoadMode, connections: number, seconds: number, keyspace: number, namespace = NAMESPACE,
): Promise<Measurement> {
  const tag = `${process.pid}-${++runs}`;
  const args = [
    '-t', '1', '-c', String(connections), '-d', `${seconds}s`, '--timeout', '10s', '-s', SCRIPT,
    `http://127.0.0.1:${system.port}`, '--', system.name, mode, String(keyspace), tag, namespace,
  ];
  const { code, stdout, stderr } = await run('wrk', binary, args, { timeoutMs: (seconds + 30) * 1000 });
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (code !== 0 || !line) throw new Error(`wrk failed (${code}): ${stderr.slice(-500)}${stdout.slice(-500)}`);
  const r = JSON.parse(line.slice('BENCH_JSON '.length)) as {
    requests: number; durationUs: number; p50Us: number; p99Us: number; errors: Record<string, number>;
  };
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  return { rps: r.requests / (r.durationUs / 1e6), p50Ms: r.p50Us / 1000, p99Ms: r.p99Us / 1000, requests: r.requests, errors };
}
