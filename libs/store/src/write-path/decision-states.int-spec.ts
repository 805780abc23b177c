import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommitTransaction, DeleteEntry, PutEntry } from '../commands/entry.commands';
import { evolve, initialNamespaceState, NamespaceEvent } from '../namespace/namespace';
import { SqliteStoreBackend } from '../runtime/sqlite-store-backend';
import { StoreBackend } from '../runtime/store-backend';
import { Clock } from '../shared/clock';
import { StoreError } from '../shared/errors';
import { DEFAULT_LIMITS } from '../shared/limits';
import { namespaceStream } from '../shared/store-events';
import { PurgeEntry, RestoreEntry } from '../commands/soft-delete.commands';
import { StoreModule } from '../store.module';
import { ExpireEntries, SetTtl } from '../commands/ttl.commands';
import { AddDependency, DeleteNamespace, RemoveDependency, RemoveTag, SetQuota, SetTag } from '../commands/governance.commands';
import { CreateNamespace } from '../commands/namespace.commands';
import { headOf } from '../namespace/namespace';
import { KeyVault } from '../crypto/key-vault';

class ManualClock extends Clock {
  at = Date.parse('2026-01-01T00:00:00Z');
  now() {
    return new Date(this.at);
  }
}

const KEYS = ['k0', 'k1', 'k2', 'k3'];
const MASTER_KEY = randomBytes(32);
/** Namespaces the random ones may depend on. */
const BASES = ['base-a', 'base-b'];
const meta = { actor: 'prop', correlationId: 'c', causationId: 'r' };
const key = fc.constantFrom(...KEYS);
const version = fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined });
const ttl = fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined });

type Step = { process: 0 | 1; run(ns: string): object } | { advance: number };
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ process: fc.constantFrom<0 | 1>(0, 1), key, value: fc.string({ maxLength: 3 }), expectedVersion: version, ttlSeconds: ttl })
    .map(({ process, key: k, value, expectedVersion, ttlSeconds }) => ({
      process, run: (ns: string) => new PutEntry(ns, { op: 'put', key: k, value: Buffer.from(value), expectedVersion, ttlSeconds }, meta),
    })),
  fc.record({ process: fc.constantFrom<0 | 1>(0, 1), key, expectedVersion: version })
    .map(({ process, key: k, expectedVersion }) => ({ process, run: (ns: string) => new DeleteEntry(ns, { op: 'delete', key: k, expectedVersion }, meta) })),
  fc.record({ process: fc.constantFrom<0 | 1>(0, 1), key }).map(({ process, key: k }) => ({ process, run: (ns: string) => new RestoreEntry(ns, k, meta) })),
  fc.record({ process: fc.constantFrom<0 | 1>(0, 1), key }).map(({ process, key: k }) => ({ process, run: (ns: string) => new PurgeEntry(ns, { key: k }, meta) })),
  fc.record({ process: fc.constantFrom<0 | 1>(0, 1), key, ttlSeconds: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }) })
    .map(({ process, key: k, ttlSeconds }) => ({ process, run: (ns: string) => new SetTtl(ns, { key: k, ttlSeconds }, meta) })),
  fc.record({ process: fc.constantFrom<0 | 1>(0, 1), keys: fc.uniqueArray(key, { minLength: 1, maxLength: 3 }) })
    .map(({ process, keys }) => ({
      process,
      run: (ns: string) => new CommitTransaction(ns, keys.map((k, i) => (i % 2 ? { op: 'delete' as const, key: k } : { op: 'put' as const, key: k, value: Buffer.from('t') })), meta),
    })),
  fc.constantFrom<0 | 1>(0, 1).map((process) => ({ process, run: (ns: string) => new ExpireEntries(ns, KEYS, meta) })),
  fc.integer({ min: 1, max: 4000 }).map((ms) => ({ advance: ms })),
  fc.record({
    process: fc.constantFrom<0 | 1>(0, 1),
    maxEntries: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }),
    maxBytes: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
  }).map(({ process, maxEntries, maxBytes }) => ({ process, run: (ns: string) => new SetQuota(ns, { maxEntries, maxBytes }, meta) })),
  fc.constantFrom<0 | 1>(0, 1).map((process) => ({ process, run: (ns: string) => new DeleteNamespace(ns, meta) })),
  fc.constantFrom<0 | 1>(0, 1).map((process) => ({ process, run: (ns: string) => new CreateNamespace(ns, meta) })),
  // Encrypted: values are sealed before the append, so sizes are those of the sealed form on both sides.
  fc.constantFrom<0 | 1>(0, 1).map((process) => ({ process, run: (ns: string) => new CreateNamespace(ns, meta, { encrypted: true }) })),
  fc.record({ process: fc.constantFrom<0 | 1>(0, 1), tag: fc.constantFrom('red', 'blue'), color: fc.constantFrom('#ff0000', '#0000ff') })
    .map(({ process, tag, color }) => ({ process, run: (ns: string) => new SetTag(ns, tag, color, meta) })),
  fc.record({ process: fc.constantFrom<0 | 1>(0, 1), tag: fc.constantFrom('red', 'blue') })
    .map(({ process, tag }) => ({ process, run: (ns: string) => new RemoveTag(ns, tag, meta) })),
  // Weighted up: a removal needs the namespace to exist and an addition before it.
  {
    weight: 10,
    arbitrary: fc.record({ process: fc.constantFrom<0 | 1>(0, 1), other: fc.constantFrom(...BASES), add: fc.boolean() })
      .map(({ process, other, add }): Step => ({
        process, run: (ns: string) => (add ? new AddDependency(ns, other, meta) : new RemoveDependency(ns, other, meta)),
      })),
  },
);

describe('decision state: evolve over the log equals the read models', () => {
  let dir: string;
  let clock: ManualClock;
  let stores: { commands: CommandBus; backend: StoreBackend; close(): Promise<void> }[];

  async function open() {
    const moduleRef = await Test.createTestingModule({
      imports: [CqrsModule.forRoot(), StoreModule.forRoot({
        openBackend: () => new SqliteStoreBackend(dir), limits: DEFAULT_LIMITS, clock, sweeper: { enabled: false },
        keyVault: () => KeyVault.open(join(dir, 'keys.db'), MASTER_KEY),
      })],
    }).compile();
    await moduleRef.init();
    return { commands: moduleRef.get(CommandBus), backend: moduleRef.get(StoreBackend), close: () => moduleRef.close() };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hexastore-evolve-'));
    clock = new ManualClock();
    stores = [await open(), await open()]; // two processes on one data file: each must notice the other's writes
    for (const base of BASES) await stores[0].commands.execute(new CreateNamespace(base, meta));
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let run = 0;
  it('for random command sequences from two writers on one file', async () => {
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25, size: 'max' }), async (steps) => {
      const ns = `p${run++}`;
      for (const s of steps) {
        if ('advance' in s) {
          clock.at += s.advance;
          continue;
        }
        await stores[s.process].commands.execute(s.run(ns)).catch((error: unknown) => {
          if (!(error instanceof StoreError)) throw error;
        });
      }
      const { backend } = stores[0];
      const recorded = await backend.eventStore.readStream(namespaceStream(ns));
      const folded = recorded
        .map((e) => ({ type: e.type, data: e.data }) as NamespaceEvent)
        .reduce(evolve, initialNamespaceState(ns));
      const view = backend.namespaces.head(ns);
      expect(view && headOf(view)).toEqual(view && headOf(folded));
      expect(view?.revision).toBe(recorded.at(-1)?.revision);
      expect(backend.namespaces.get(ns)?.entryCount).toBe(folded.exists ? folded.entryCount : undefined);
      for (const k of KEYS) expect(backend.entries.entryState(ns, k, true)).toEqual(folded.entries.get(k));
      for (const store of stores) {
        if (!view) continue;
        const decided = store.backend.decisionStates.at(ns, KEYS, view.revision);
        expect(headOf(decided)).toEqual(headOf(folded));
        for (const k of KEYS) {
          const want = folded.entries.get(k);
          expect(decided.entries.get(k)).toEqual(want && { version: want.version, expiresAt: want.expiresAt, deleted: want.deleted, bytes: want.bytes });
        }
      }
    }), { numRuns: 40 });
  });
});
