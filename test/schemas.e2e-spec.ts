import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreClient } from '@app/client';
import { expectProblem, expectRefused } from './support/expectations';
import { collect, expectNothingWritten, freshNs } from './support/sdk';
import { http, removeDir, startService, tempDir, useService } from './support/service';
import { SseConnection } from './support/sse';

/** A backup made by the release before event schemaVersion 2 (see fixtures/README.md). */
const FIXTURE = join(__dirname, 'fixtures', 'archive-v1-snapshots.ndjson.gz');

const PRICE = {
  type: 'object',
  required: ['price'],
  properties: { price: { type: 'number', minimum: 0 }, code: { type: 'string', pattern: '^[A-Z]{3}$' } },
  additionalProperties: false,
};

const service = useService({
  config: {
    name: 'store.yaml',
    text: 'namespaces:\n  declared-schema:\n    schema:\n      type: object\n      required: [sku]\n',
  },
});
const { store } = service;

describe('value schemas', () => {
  it('checks every put: a valid value is written, an invalid one or one that is not JSON is 400 SCHEMA_VIOLATION naming where, nothing written', async () => {
    const ns = freshNs('schema');
    await store.createNamespace(ns);
    const set = await store.setSchema(ns, PRICE);
    expect(set).toMatchObject({ namespace: ns, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), schema: PRICE, setBy: 'anonymous' });
    expect(set.violations).toEqual({ items: [], checked: 0, violating: 0, complete: true });
    await store.put(ns, 'ok', '{"price":3,"code":"EUR"}');
    await expectNothingWritten(store, async () => {
      const error = await expectRefused(store.put(ns, 'bad', '{"price":-1,"extra":1}'), 400, 'SCHEMA_VIOLATION', { key: 'bad', sha256: set.sha256 });
      expect(error.problem.errors).toEqual(expect.arrayContaining([
        { path: '/price', message: 'must be >= 0' },
        { path: '', message: 'must NOT have additional properties ("extra")' },
      ]));
      await expectRefused(store.put(ns, 'text', 'price: 3'), 400, 'SCHEMA_VIOLATION', {
        errors: [{ path: '', message: 'is not JSON (UTF-8 text of one JSON value)' }],
      });
      await expectRefused(store.put(ns, 'bytes', new Uint8Array([0xff, 0xfe])), 400, 'SCHEMA_VIOLATION');
      await expectRefused(store.put(ns, 'ok', '{"price":3,"code":"euro"}'), 400, 'SCHEMA_VIOLATION', {
        errors: [{ path: '/code', message: 'must match pattern "^[A-Z]{3}$"' }],
      });
    });
    expect((await store.get(ns, 'ok')).value).toBe('{"price":3,"code":"EUR"}');
    const raw = await http('PUT', `${service.url}/v1/namespaces/${ns}/entries/raw`, { value: '{}' });
    expectProblem(raw, 400, 'SCHEMA_VIOLATION', { errors: [{ path: '', message: "must have required property 'price'" }] });
  });

  it('refuses a whole transaction when one op fails, naming the op; a valid one is written', async () => {
    const ns = freshNs('schematxn');
    await store.put(ns, 'old', 'free text before the schema');
    await store.setSchema(ns, PRICE);
    await expectNothingWritten(store, () => expectRefused(
      store.transaction(ns, [{ op: 'delete', key: 'old' }, { op: 'put', key: 'a', value: '{"price":1}' }, { op: 'put', key: 'b', value: '{"cost":1}' }]),
      400, 'SCHEMA_VIOLATION', { opIndex: 2, key: 'b' },
    ));
    const done = await store.transaction(ns, [{ op: 'delete', key: 'old' }, { op: 'put', key: 'a', value: '{"price":1}' }]);
    expect(done.results).toEqual([{ op: 'delete', key: 'old', version: 1, deleted: true }, { op: 'put', key: 'a', version: 1 }]);
  });

  it('is exact under concurrency: of puts racing a schema change, none that violates it lands after it', async () => {
    const ns = freshNs('schemarace');
    await store.createNamespace(ns);
    const puts = Array.from({ length: 48 }, (_, i) => store.put(ns, `k${i}`, '{"cost":1}'));
    const [set] = await Promise.all([store.setSchema(ns, PRICE), ...puts.map((p) => p.catch((error) => error))]);
    const settled = await Promise.all(puts.map((p) => p.then(() => 'written', (error) => error.code)));
    expect(new Set(settled)).toEqual(new Set(settled.filter((r) => r === 'written' || r === 'SCHEMA_VIOLATION')));
    const entries = await collect(store.list(ns));
    expect(entries).toHaveLength(settled.filter((r) => r === 'written').length);
    for (const entry of entries) expect(entry.modRevision).toBeLessThan(set.revision);
  });

  it('answers which existing entries violate a new schema (bounded to the first 100), and keeps them', async () => {
    const ns = freshNs('violators');
    const ops = Array.from({ length: 120 }, (_, i) => ({ op: 'put' as const, key: `k${String(i).padStart(3, '0')}`, value: i % 2 ? '{"price":1}' : 'not json' }));
    await store.transaction(ns, ops.slice(0, 100));
    await store.transaction(ns, ops.slice(100));
    await store.put(ns, 'z-good', '{"price":2}');
    await store.put(ns, 'z-bad', '{"price":"two"}');
    const set = await store.setSchema(ns, PRICE);
    expect(set.violations).toMatchObject({ checked: 122, violating: 61, complete: true });
    expect(set.violations.items).toHaveLength(61);
    expect(set.violations.items[0]).toEqual({ key: 'k000', errors: [{ path: '', message: 'is not JSON (UTF-8 text of one JSON value)' }] });
    expect(set.violations.items.at(-1)).toEqual({ key: 'z-bad', errors: [{ path: '/price', message: 'must be number' }] });
    expect((await store.get(ns, 'k000')).value).toBe('not json');
  });

  it('GET answers the schema; the same schema again writes nothing; DELETE frees the values; removing none is 404 SCHEMA_NOT_FOUND', async () => {
    const ns = freshNs('schemaget');
    await store.createNamespace(ns);
    await expectRefused(store.schema(ns), 404, 'SCHEMA_NOT_FOUND');
    const set = await store.setSchema(ns, PRICE);
    expect(await store.schema(ns)).toEqual({ namespace: ns, sha256: set.sha256, schema: PRICE, setAt: set.setAt, setBy: 'anonymous', revision: set.revision });
    const { revision } = await store.getNamespace(ns);
    expect((await store.setSchema(ns, { ...PRICE })).revision).toBe(set.revision);
    expect((await store.getNamespace(ns)).revision).toBe(revision);
    await store.removeSchema(ns);
    await store.put(ns, 'free', 'anything at all');
    await expectRefused(store.schema(ns), 404, 'SCHEMA_NOT_FOUND');
    await expectRefused(store.removeSchema(ns), 404, 'SCHEMA_NOT_FOUND');
    await expectRefused(store.setSchema('never-made', PRICE), 404, 'NAMESPACE_NOT_FOUND');
  });

  it('its history is in the log: the feed shows StoreSchemaSet and StoreSchemaRemoved', async () => {
    const ns = freshNs('schemafeed');
    await store.createNamespace(ns);
    await store.setSchema(ns, PRICE);
    await store.removeSchema(ns);
    const feed = await SseConnection.open(`${service.url}/v1/namespaces/${ns}/feed?from=start`);
    try {
      await feed.until((c) => c.events.length === 3);
      expect(feed.events.map((e) => e.event)).toEqual(['StoreNamespaceCreated', 'StoreSchemaSet', 'StoreSchemaRemoved']);
      expect(JSON.parse(feed.events[1].data!)).toMatchObject({ namespace: ns, schema: PRICE });
    } finally {
      feed.close();
    }
  });

  describe('bad and hostile schemas: 4xx at once, nothing written', () => {
    const refusals: [string, unknown, string][] = [
      ['that does not compile', { type: 'nope' }, 'SCHEMA_INVALID'],
      ['with an unknown keyword', { typ: 'object' }, 'SCHEMA_INVALID'],
      ['that is not a schema', 42, 'SCHEMA_INVALID'],
      ['with a remote $ref', { $ref: 'https://example.com/schema.json' }, 'SCHEMA_INVALID'],
      ['that is recursive', { $defs: { t: { type: 'array', items: { $ref: '#/$defs/t' } } }, $ref: '#/$defs/t' }, 'SCHEMA_INVALID'],
      ['with a backreference pattern', { type: 'string', pattern: '^(a+)\\1$' }, 'SCHEMA_INVALID'],
      ['with uniqueItems over objects', { type: 'array', uniqueItems: true }, 'SCHEMA_INVALID'],
      ['that is huge', { enum: Array.from({ length: 30_000 }, (_, i) => `value-${i}`) }, 'SCHEMA_TOO_COMPLEX'],
      ['that is deep', JSON.parse(`${'{"items":'.repeat(28)}{}${'}'.repeat(28)}`), 'SCHEMA_TOO_COMPLEX'],
      ['that expands exponentially', exponentialSchema(40), 'SCHEMA_TOO_COMPLEX'],
    ];
    for (const [what, schema, code] of refusals) {
      it(`refuses a schema ${what}: 400 ${code}`, async () => {
        const ns = freshNs('hostile');
        await store.put(ns, 'k', 'v');
        await expectNothingWritten(store, () => expectRefused(store.setSchema(ns, schema), 400, code));
        await expectRefused(store.schema(ns), 404, 'SCHEMA_NOT_FOUND');
      });
    }

    it('refuses a body without a schema: 400 VALIDATION_FAILED', async () => {
      const ns = freshNs('noschema');
      await store.createNamespace(ns);
      expectProblem(await http('PUT', `${service.url}/v1/namespaces/${ns}/schema`, { scheme: {} }), 400, 'VALIDATION_FAILED');
    });

    it('an evil pattern (catastrophic backtracking elsewhere) runs in linear time: a long value is checked and refused at once', async () => {
      const ns = freshNs('evil');
      await store.createNamespace(ns);
      await store.setSchema(ns, { type: 'string', pattern: '^(a|a)*$' });
      const value = JSON.stringify(`${'a'.repeat(200_000)}!`);
      await expectRefused(store.put(ns, 'k', value), 400, 'SCHEMA_VIOLATION', { errors: [{ path: '', message: 'must match pattern "^(a|a)*$"' }] });
      await store.put(ns, 'k', JSON.stringify('a'.repeat(200_000)));
      // The event loop was never held: other calls are answered in the meantime as usual.
      expect((await http('GET', `${service.url}/health/live`)).status).toBe(200);
    });
  });

  it('survives a restart, a rebuild and a backup restored elsewhere', async () => {
    const ns = freshNs('schemakept');
    await store.put(ns, 'a', '{"price":1}');
    const { sha256 } = await store.setSchema(ns, PRICE);
    await service.restart();
    await expectRefused(store.put(ns, 'b', '{}'), 400, 'SCHEMA_VIOLATION');
    await store.rebuild();
    expect((await store.schema(ns)).sha256).toBe(sha256);
    await expectRefused(store.put(ns, 'b', '{}'), 400, 'SCHEMA_VIOLATION');
    const download = await store.backup({ namespaces: [ns] });
    const chunks: Uint8Array[] = [];
    for await (const chunk of download.body) chunks.push(chunk);
    const other = await startService();
    try {
      const elsewhere = new StoreClient({ url: other.url, retry: { attempts: 1 } });
      await elsewhere.restore(Buffer.concat(chunks));
      expect((await elsewhere.schema(ns)).sha256).toBe(sha256);
      await expectRefused(elsewhere.put(ns, 'b', '{}'), 400, 'SCHEMA_VIOLATION');
      await elsewhere.put(ns, 'b', '{"price":2}');
    } finally {
      await other.close();
    }
  });

  it('the config file declares a schema per namespace; a reload applies what changed as events', async () => {
    expect((await store.schema('declared-schema')).schema).toEqual({ type: 'object', required: ['sku'] });
    await expectRefused(store.put('declared-schema', 'x', '{}'), 400, 'SCHEMA_VIOLATION');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(service.configFile, 'namespaces:\n  declared-schema:\n    schema: {type: object, required: [id]}\n');
    expect((await store.reload()).changes).toContainEqual(expect.objectContaining({ namespace: 'declared-schema', change: 'schema' }));
    await store.put('declared-schema', 'x', '{"id":1}');
    writeFileSync(service.configFile, 'namespaces:\n  declared-schema:\n    schema: null\n');
    await store.reload();
    await expectRefused(store.schema('declared-schema'), 404, 'SCHEMA_NOT_FOUND');
    writeFileSync(service.configFile, 'namespaces:\n  declared-schema:\n    schema: {type: nope}\n');
    await expectRefused(store.reload(), 400, 'CONFIG_INVALID', { path: 'namespaces.declared-schema.schema' });
    writeFileSync(service.configFile, 'namespaces:\n  declared-schema:\n    schema: {type: object, required: [sku]}\n');
    await store.reload();
  });
});

describe('event versions and migrations', () => {
  it('an archive written before snapshots recorded their size restores, rebuilds and feeds in the current shape', async () => {
    const archive = readFileSync(FIXTURE);
    const target = await startService();
    try {
      const old = new StoreClient({ url: target.url, retry: { attempts: 1 } });
      expect(await old.restore(archive)).toMatchObject({ restored: true, namespaces: ['legacy'], events: 6 });
      const expectCurrentShape = async () => {
        const snapshots = (await http('GET', `${target.url}/v1/namespaces/legacy/snapshots`)).body.items;
        expect(snapshots.map((s: { revision: number; entryCount: number; bytes: unknown }) => [s.revision, s.entryCount, s.bytes])).toEqual([[2, 2, null], [4, 2, null]]);
        expect((await old.get('legacy', 'plans/pro')).value).toBe('{"price":25}');
        expect((await old.getAsOf('legacy', 'plans/pro', 2)).value).toBe('{"price":20}');
      };
      await expectCurrentShape();
      await old.rebuild();
      await expectCurrentShape();
      const history = (await collect(old.history('legacy', 'plans/pro'))).map((h) => [h.type, h.version, h.value]);
      expect(history).toEqual([['StoreEntryCreated', 1, '{"price":20}'], ['StoreEntryUpdated', 2, '{"price":25}']]);
      const feed = await SseConnection.open(`${target.url}/v1/namespaces/legacy/feed?from=start`);
      try {
        await feed.until((c) => c.events.length === 6);
        const snapshotsInFeed = feed.events.filter((e) => e.event === 'StoreSnapshotCreated').map((e) => JSON.parse(e.data!));
        // (a feed event's `revision` is the event's own; the snapshot's is in the list above)
        expect(snapshotsInFeed.map((s) => [s.id, s.entryCount, s.bytes])).toEqual([[expect.any(String), 2, null], [expect.any(String), 2, null]]);
      } finally {
        feed.close();
      }
      // New snapshots are taken in the new shape, beside the old ones.
      const taken = await old.createSnapshot('legacy');
      expect(taken).toMatchObject({ revision: 5, entryCount: 2, bytes: 'plans/pro'.length + 12 + 'plans/basic'.length + 11 });
    } finally {
      await target.close();
    }
  });

  it('records a migration once, when a release that has it starts on a store whose events need it, also with several processes starting together', async () => {
    expect(await store.migrations()).toEqual([]); // born under this release: nothing to migrate
    const dataDir = tempDir();
    const first = await startService({ dataDir });
    await new StoreClient({ url: first.url, retry: { attempts: 1 } }).restore(readFileSync(FIXTURE));
    await first.close();
    const racing = await Promise.all([1, 2, 3].map(() => startService({ dataDir })));
    try {
      const listed = await new StoreClient({ url: racing[2].url, retry: { attempts: 1 } }).migrations();
      expect(listed).toEqual([{
        migrationId: '0002-snapshot-bytes', description: expect.stringContaining('bytes'), appliedAt: expect.any(String), fromVersion: 1, toVersion: 2,
      }]);
      await Promise.all(racing.map((s) => s.close()));
      racing.length = 0;
      const again = await startService({ dataDir });
      racing.push(again);
      expect(await new StoreClient({ url: again.url, retry: { attempts: 1 } }).migrations()).toEqual(listed);
    } finally {
      await Promise.all(racing.map((s) => s.close()));
      removeDir(dataDir);
    }
  });
});

/** d0 → anyOf [d1, d1] → … : 2^depth paths when every branch fails, though tiny as JSON. */
function exponentialSchema(depth: number): object {
  const $defs: Record<string, object> = { [`d${depth}`]: { type: 'string' } };
  for (let i = 0; i < depth; i++) $defs[`d${i}`] = { anyOf: [{ $ref: `#/$defs/d${i + 1}` }, { $ref: `#/$defs/d${i + 1}` }] };
  return { $defs, $ref: '#/$defs/d0' };
}
