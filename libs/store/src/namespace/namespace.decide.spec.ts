import { EntryCreated, EntryDeleted, EntryUpdated } from './entry';
import { namespaceDecider } from './given-when-then';
import { evolve, initialNamespaceState, NamespaceCreated, NamespaceEvent, NamespaceState } from './namespace';
import { decideCreateNamespace } from './namespace.decide';
import { decideWrites } from './entry.decide';
import { DEFAULT_LIMITS } from '../shared/limits';

const NS = 'app';
const { given } = namespaceDecider(NS);
const nsCreated: NamespaceCreated = { type: 'StoreNamespaceCreated', data: { namespace: NS } };
const created = (key: string, expiresAt: number | null = null): EntryCreated => ({
  type: 'StoreEntryCreated',
  data: { namespace: NS, key, value: 'v', metadata: {}, version: 1, expiresAt },
});
const updated = (key: string, version: number, expiresAt: number | null = null): EntryUpdated => ({
  type: 'StoreEntryUpdated',
  data: { namespace: NS, key, valueBase64: '/w==', metadata: { m: 'x' }, version, expiresAt },
});
const deleted = (key: string, version: number): EntryDeleted => ({ type: 'StoreEntryDeleted', data: { namespace: NS, key, version } });

describe('decideCreateNamespace', () => {
  it('creates a namespace that does not exist', () => {
    given().when(decideCreateNamespace).then(nsCreated);
  });

  it('does nothing for a namespace that exists', () => {
    given(nsCreated).when(decideCreateNamespace).then();
  });

  it('does nothing for a namespace that has entries', () => {
    given(nsCreated, created('a'), deleted('a', 1)).when(decideCreateNamespace).then();
  });
});

describe('evolve', () => {
  const content = (value: string) => ({ value, metadata: {} });
  const binary = { valueBase64: '/w==', metadata: { m: 'x' } };

  it('starts from a namespace that does not exist', () => {
    expect(initialNamespaceState(NS)).toEqual({
      name: NS, revision: undefined, exists: false, defaultTtlSeconds: null, entryCount: 0, bytes: 0,
      quota: { maxEntries: null, maxBytes: null }, tags: {}, dependsOn: [], valueSchema: null, grants: {}, encrypted: false, entries: new Map(),
    });
  });

  it('marks the namespace as existing', () => {
    expect(given(nsCreated).state).toEqual({
      name: NS, revision: undefined, exists: true, defaultTtlSeconds: null, entryCount: 0, bytes: 0,
      quota: { maxEntries: null, maxBytes: null }, tags: {}, dependsOn: [], valueSchema: null, grants: {}, encrypted: false, entries: new Map(),
    });
  });

  it('folds encryption from the creation: encrypted until the namespace is deleted; create refuses to encrypt an existing plain one', () => {
    const encrypted = { type: 'StoreNamespaceCreated', data: { namespace: NS, encrypted: true } } as const;
    expect(given(encrypted).state.encrypted).toBe(true);
    expect(given(encrypted, { type: 'StoreNamespaceDeleted', data: { namespace: NS } }).state.encrypted).toBe(false);
    expect(decideCreateNamespace(given(encrypted).state, true)).toEqual([]);
    expect(decideCreateNamespace(initialNamespaceState(NS), true)).toEqual([encrypted]);
    expect(() => decideCreateNamespace(given(nsCreated).state, true)).toThrow(expect.objectContaining({ code: 'NAMESPACE_NOT_ENCRYPTED' }));
  });

  it('records version, expiry and content of written keys, and keeps deleted ones as deleted', () => {
    const { entries, entryCount } = given(nsCreated, created('a'), created('b', 5000), updated('a', 2, 9000), created('c'), deleted('c', 1)).state;
    expect(entries).toEqual(
      new Map([
        ['a', { version: 2, expiresAt: 9000, deleted: false, bytes: 2, content: binary }],
        ['b', { version: 1, expiresAt: 5000, deleted: false, bytes: 2, content: content('v') }],
        ['c', { version: 1, expiresAt: null, deleted: true, bytes: 2, content: content('v') }],
      ]),
    );
    expect(entryCount).toBe(2);
  });

  it('forgets expired and purged keys, counting only the ones that were not deleted', () => {
    const { entries, entryCount } = given(
      nsCreated, created('a', 10), created('b'), created('c'), deleted('c', 1),
      { type: 'StoreEntryExpired', data: { namespace: NS, key: 'a', version: 1 } },
      { type: 'StoreEntryPurged', data: { namespace: NS, key: 'c', version: 1 } },
    ).state;
    expect([...entries.keys()]).toEqual(['b']);
    expect(entryCount).toBe(1);
  });

  it('a restore brings the entry back, a TTL change moves version and expiry', () => {
    const { entries, entryCount } = given(
      nsCreated, created('a'), deleted('a', 1),
      { type: 'StoreEntryRestored', data: { namespace: NS, key: 'a', value: 'v', metadata: {}, version: 2, expiresAt: null } },
      { type: 'StoreEntryTtlSet', data: { namespace: NS, key: 'a', version: 3, expiresAt: 7000 } },
    ).state;
    expect(entries).toEqual(new Map([['a', { version: 3, expiresAt: 7000, deleted: false, bytes: 2, content: content('v') }]]));
    expect(entryCount).toBe(1);
  });

  it('leaves the revision to whoever loads the stream', () => {
    const loaded: NamespaceState = { ...initialNamespaceState(NS), revision: 7 };
    const events: NamespaceEvent[] = [nsCreated, created('a'), updated('a', 2), deleted('a', 2)];
    for (const event of events) expect(evolve(loaded, event).revision).toBe(7);
  });

  it('does not change the state it is given', () => {
    const before = given(nsCreated, created('a')).state;
    const after = evolve(evolve(before, created('b')), deleted('a', 1));
    expect(before.entries).toEqual(new Map([['a', { version: 1, expiresAt: null, deleted: false, bytes: 2, content: content('v') }]]));
    expect(after.entries.get('a')).toMatchObject({ deleted: true });
    expect([before.entryCount, after.entryCount]).toEqual([1, 1]);
  });
});

describe('namespace default TTL', () => {
  it('is set and cleared by StoreNamespaceConfigured, and applies to puts without ttlSeconds', () => {
    const configured = (defaultTtlSeconds: number | null) =>
      ({ type: 'StoreNamespaceConfigured', data: { namespace: NS, defaultTtlSeconds } }) as const;
    expect(given(nsCreated, configured(60)).state.defaultTtlSeconds).toBe(60);
    expect(given(nsCreated, configured(60), configured(null)).state.defaultTtlSeconds).toBeNull();
    const now = new Date('2026-01-01T00:00:00Z');
    const rules = { now, limits: DEFAULT_LIMITS };
    const put = (ttlSeconds?: number) => (s: NamespaceState) => decideWrites([{ op: 'put', key: 'k', value: Buffer.from('v'), ttlSeconds }], s, rules);
    const expiresAt = (ttl: number) => now.getTime() + ttl * 1000;
    given(nsCreated, configured(60)).when(put()).then({
      type: 'StoreEntryCreated', data: { namespace: NS, key: 'k', value: 'v', metadata: {}, expiresAt: expiresAt(60), version: 1 },
    });
    given(nsCreated, configured(60)).when(put(5)).then({
      type: 'StoreEntryCreated', data: { namespace: NS, key: 'k', value: 'v', metadata: {}, expiresAt: expiresAt(5), version: 1 },
    });
  });
});
