import {
  CommitTransaction, CommitTransactionHandler, DEFAULT_LIMITS, PutOp, SqliteStoreBackend, SystemClock,
} from '@app/store';
import { readFileSync } from 'node:fs';
import { call, callJson } from './http';
import { NAMESPACE, RunningSystem, VALUE } from './systems';

const OPS_PER_TRANSACTION = 128;
const TRANSACTIONS_PER_COMMIT = 32;

/**
 * Writes `count` distinct keys g/<i> into namespace `bench` of a data dir, offline, through the
 * store's own write path (decide, append, project), as transactions of 128 puts.
 */
export async function prefillDataDir(dataDir: string, count: number): Promise<{ events: number; seconds: number }> {
  const started = performance.now();
  const backend = new SqliteStoreBackend(dataDir);
  try {
    const handler = new CommitTransactionHandler(backend.writer, new SystemClock(), DEFAULT_LIMITS, backend.entries, backend);
    const meta = { actor: 'bench', correlationId: 'bench-prefill', causationId: 'bench-prefill' };
    const value = Buffer.from(VALUE);
    const transactions = Math.ceil(count / OPS_PER_TRANSACTION);
    for (let t = 0; t < transactions; t += TRANSACTIONS_PER_COMMIT) {
      const commit: Promise<unknown>[] = [];
      for (let i = t; i < Math.min(transactions, t + TRANSACTIONS_PER_COMMIT); i++) {
        const ops: PutOp[] = [];
        for (let k = i * OPS_PER_TRANSACTION; k < Math.min(count, (i + 1) * OPS_PER_TRANSACTION); k++) {
          ops.push({ op: 'put', key: `g/${k}`, value });
        }
        commit.push(handler.execute(new CommitTransaction(NAMESPACE, ops, meta)));
      }
      await Promise.all(commit);
    }
    return { events: Number((await backend.eventStore.headPosition())?.commit ?? 0), seconds: (performance.now() - started) / 1000 };
  } finally {
    await backend.close();
  }
}

export async function rebuild(system: RunningSystem): Promise<{ events: number; millis: number }> {
  const { status, json } = await callJson<{ events: number; millis: number }>(system.port, 'POST', '/v1/admin/rebuild', undefined, 600_000);
  if (status !== 200) throw new Error(`rebuild answered ${status}`);
  return json;
}

/** Peak resident set of a process (VmHWM), in MiB. */
export function peakRssMiB(pid: number): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmHWM for pid ${pid}`);
  return Number(kb) / 1024;
}

/** Whether the service offers an admin route (from its OpenAPI document). */
export async function offersRoute(system: RunningSystem, path: string): Promise<boolean> {
  const reply = await call(system.port, 'GET', '/docs-json');
  if (reply.status !== 200) return false;
  const paths = (JSON.parse(reply.body.toString('utf8')) as { paths?: Record<string, unknown> }).paths ?? {};
  return path in paths;
}

export type Timed = { events: number; seconds: number; eventsPerSecond: number } | { unavailable: string };

/**
 * Backup of a store of `events` events, then restore of that archive into an empty store.
 * The archive is what `POST /v1/admin/backup` answers; `POST /v1/admin/restore` takes it back.
 */
export async function backupAndRestore(source: RunningSystem, empty: RunningSystem, events: number): Promise<{ backup: Timed; restore: Timed }> {
  let started = performance.now();
  const archive = await call(source.port, 'POST', '/v1/admin/backup', undefined, { 'content-type': 'application/json' }, 600_000);
  if (archive.status === 404) return { backup: { unavailable: 'POST /v1/admin/backup answered 404' }, restore: { unavailable: 'no backup' } };
  if (archive.status >= 300) return { backup: { unavailable: `backup answered ${archive.status}: ${archive.body.toString('utf8').slice(0, 200)}` }, restore: { unavailable: 'no backup' } };
  const backup = timed(events, started);
  started = performance.now();
  const restored = await call(empty.port, 'POST', '/v1/admin/restore', archive.body, { 'content-type': archive.contentType || 'application/octet-stream' }, 600_000);
  if (restored.status >= 300) return { backup, restore: { unavailable: `restore answered ${restored.status}: ${restored.body.toString('utf8').slice(0, 200)}` } };
  return { backup, restore: timed(events, started) };
}

function timed(events: number, started: number): Timed {
  const seconds = (performance.now() - started) / 1000;
  return { events, seconds, eventsPerSecond: events / seconds };
}
