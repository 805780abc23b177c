import { EntryCreated, EntryDeleted, EntryExpired, EntryTtlSet } from './entry';
import { NamespaceCreated, NamespaceState } from './namespace';
import { namespaceDecider } from './given-when-then';
import { DEFAULT_LIMITS } from '../shared/limits';
import { decideExpiry, decideSetTtl, SetTtlOp } from './ttl.decide';

const NS = 'app';
const now = new Date('2030-01-01T00:00:00.000Z');
const NOW = now.getTime();
const limits = { ...DEFAULT_LIMITS, maxTtlSeconds: 3600 };
const { given } = namespaceDecider(NS);
const nsCreated: NamespaceCreated = { type: 'StoreNamespaceCreated', data: { namespace: NS } };
const created = (key: string, expiresAt: number | null = null): EntryCreated => ({
  type: 'StoreEntryCreated', data: { namespace: NS, key, value: 'v', metadata: {}, version: 1, expiresAt },
});
const ttlSet = (key: string, version: number, expiresAt: number | null): EntryTtlSet => ({
  type: 'StoreEntryTtlSet', data: { namespace: NS, key, version, expiresAt },
});
const deleted = (key: string, version: number): EntryDeleted => ({ type: 'StoreEntryDeleted', data: { namespace: NS, key, version } });
const expired = (key: string, version: number): EntryExpired => ({ type: 'StoreEntryExpired', data: { namespace: NS, key, version } });
const setTtl = (op: SetTtlOp) => (state: NamespaceState) => decideSetTtl(op, state, { now, limits });

describe('decideSetTtl', () => {
  it('sets an absolute expiry of now + ttl and moves the version on', () => {
    given(nsCreated, created('a')).when(setTtl({ key: 'a', ttlSeconds: 60 })).then(ttlSet('a', 2, NOW + 60_000));
  });

  it('null clears the expiry', () => {
    given(nsCreated, created('a', NOW + 5000)).when(setTtl({ key: 'a', ttlSeconds: null })).then(ttlSet('a', 2, null));
  });

  it('checks expectedVersion against the live version', () => {
    given(nsCreated, created('a'), ttlSet('a', 2, null)).when(setTtl({ key: 'a', ttlSeconds: 1, expectedVersion: 2 })).then(ttlSet('a', 3, NOW + 1000));
    given(nsCreated, created('a'))
      .when(setTtl({ key: 'a', ttlSeconds: 1, expectedVersion: 2 }))
      .thenFails('VERSION_CONFLICT', { key: 'a', expectedVersion: 2, actualVersion: 1 });
  });

  it.each([0, -1, 1.5, 3601, Number.NaN, Number.POSITIVE_INFINITY])('refuses ttlSeconds %d', (ttlSeconds) => {
    given(nsCreated, created('a')).when(setTtl({ key: 'a', ttlSeconds })).thenFails('VALIDATION_FAILED');
  });

  it.each([
    ['never written', [nsCreated]],
    ['deleted', [nsCreated, created('a'), deleted('a', 1)]],
    ['expired, not yet recorded', [nsCreated, created('a', NOW)]],
    ['expired and recorded', [nsCreated, created('a', NOW), expired('a', 1)]],
  ])('refuses a key that is %s', (_, past) => {
    given(...past).when(setTtl({ key: 'a', ttlSeconds: 5 })).thenFails('ENTRY_NOT_FOUND', { key: 'a' });
  });

  it('refuses an invalid key', () => {
    given(nsCreated).when(setTtl({ key: '', ttlSeconds: 5 })).thenFails('KEY_INVALID');
  });
});

describe('decideExpiry', () => {
  const sweep = (...keys: string[]) => (state: NamespaceState) => decideExpiry(keys, state, now);

  it('records the expiry of keys whose expiry is at or before now, with the version that expired', () => {
    given(nsCreated, created('a', NOW), created('b', NOW - 1), ttlSet('b', 2, NOW - 1)).when(sweep('a', 'b')).then(expired('a', 1), expired('b', 2));
  });

  it('records the expiry of a deleted entry too: it can no longer be restored', () => {
    given(nsCreated, created('a', NOW - 5), deleted('a', 1)).when(sweep('a')).then(expired('a', 1));
  });

  it('refuses, on fresh state, what another sweeper or a write already settled', () => {
    given(nsCreated, created('a', NOW), expired('a', 1)).when(sweep('a')).then(); // recorded already
    given(nsCreated, created('a', NOW), expired('a', 1), created('a')).when(sweep('a')).then(); // written again
    given(nsCreated, created('a', NOW), ttlSet('a', 2, NOW + 1)).when(sweep('a')).then(); // given more time
    given(nsCreated, created('a', NOW + 1)).when(sweep('a')).then(); // not yet
    given(nsCreated, created('a')).when(sweep('a', 'missing')).then();
  });

  it('records each key once even when asked twice', () => {
    given(nsCreated, created('a', NOW)).when(sweep('a', 'a')).then(expired('a', 1));
  });
});
