/**
 * Time travel on a long namespace, with and without a snapshot: asOf of one key and the whole
 * state at a revision (what GET …/rollback-points/{id} and a rollback rebuild), in process,
 * through the store's own layers on a fresh SQLite data file.
 *
 *   npm run bench:snapshots -- [--events 100000] [--keys 1000] [--runs 200]
 */
import {
  CommitTransaction, CommitTransactionHandler, DEFAULT_LIMITS, PutOp, SqliteStoreBackend, SystemClock, TakeSnapshot, TakeSnapshotHandler,
} from '@app/store';
import { StatePages } from '@app/store/read-models/time-travel/state-pages';
import { PageCursors } from '@app/store/shared/page';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const NS = 'bench';
const OPS = 128;
const PER_COMMIT = 32;
const meta = { actor: 'bench', correlationId: 'bench', causationId: 'bench' };

const { values: args } = parseArgs({
  options: { events: { type: 'string', default: '100000' }, keys: { type: 'string', default: '1000' }, runs: { type: 'string', default: '200' } },
});
const EVENTS = Number(args.events);
const KEYS = Number(args.keys);
const RUNS = Number(args.runs);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hexastore-bench-snapshots-'));
  const backend = new SqliteStoreBackend(dir);
  const clock = new SystemClock();
  const put = new CommitTransactionHandler(backend.writer, clock, DEFAULT_LIMITS, backend.entries, backend);
  const snapshot = new TakeSnapshotHandler(backend.writer, clock, backend.snapshots);
  const pages = new StatePages(backend.timeTravel, backend.namespaces, PageCursors.ephemeral());
  let written = 0;

  /** Puts `count` updates round-robin over the keys, as transactions of 128 ops, 32 per group commit. */
  async function write(count: number): Promise<void> {
    for (let done = 0; done < count; ) {
      const commit: Promise<unknown>[] = [];
      for (let t = 0; t < PER_COMMIT && done < count; t++) {
        const ops: PutOp[] = [];
        for (let i = 0; i < OPS && done < count; i++, done++, written++) {
          ops.push({ op: 'put', key: `svc/key-${written % KEYS}`, value: Buffer.from(`{"n":${written},"pad":"${'x'.repeat(64)}"}`) });
        }
        commit.push(put.execute(new CommitTransaction(NS, ops, meta)));
      }
      await Promise.all(commit);
    }
  }

  const head = () => backend.namespaces.get(NS)!.revision;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  async function time(label: string, runs: number, ask: (i: number) => Promise<unknown>): Promise<number> {
    const took: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await ask(i);
      took.push(performance.now() - started);
    }
    const ms = median(took);
    console.log(`  ${label.padEnd(58)} ${ms.toFixed(3).padStart(10)} ms (median of ${runs})`);
    return ms;
  }
  const keyAt = (revision: number) => (i: number) => pages.entry(NS, `svc/key-${(i * 7919) % KEYS}`, revision);
  const stateAt = (revision: number) => () => backend.timeTravel.stateAt(NS, revision);

  const started = performance.now();
  await write(EVENTS);
  const r1 = head();
  console.log(`namespace ${NS}: ${r1 + 1} events over ${KEYS} keys written in ${((performance.now() - started) / 1000).toFixed(1)} s` +
    ` (${(statSync(join(dir, 'hexastore.db')).size / 1e6).toFixed(0)} MB)`);

  console.log(`\nno snapshot, asking revision ${r1}:`);
  const keyCold = await time('asOf of one key', RUNS, keyAt(r1));
  const stateCold = await time('state of the whole namespace', 5, stateAt(r1));

  const took = performance.now();
  const taken = await snapshot.execute(new TakeSnapshot(NS, meta));
  console.log(`\nsnapshot at revision ${taken.revision} (${taken.entryCount} entries) taken in ${(performance.now() - took).toFixed(1)} ms`);
  console.log(`snapshot at the revision asked (${r1}):`);
  const keyHit = await time('asOf of one key', RUNS, keyAt(r1));
  const stateHit = await time('state of the whole namespace', 5, stateAt(r1));

  await write(Math.round(EVENTS / 10));
  const r2 = head();
  console.log(`\nafter ${r2 - r1 - 1} more events, asking revision ${r2} (snapshot ${r2 - taken.revision} revisions behind):`);
  const keyNear = await time('asOf of one key', RUNS, keyAt(r2));
  const stateNear = await time('state of the whole namespace', 5, stateAt(r2));

  console.log(`\nspeed-up: one key ${(keyCold / keyHit).toFixed(0)}x at the snapshot, ${(keyCold / keyNear).toFixed(0)}x ` +
    `${r2 - taken.revision} revisions past it; whole state ${(stateCold / stateHit).toFixed(0)}x and ${(stateCold / stateNear).toFixed(0)}x`);
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
