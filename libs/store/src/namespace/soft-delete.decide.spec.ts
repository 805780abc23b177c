import { NamespaceState } from './namespace';
import { namespaceDecider } from './given-when-then';
import { DEFAULT_LIMITS } from '../shared/limits';
import { testEvents } from './test-events';
import { decidePurge, decideRestore, KeyOp } from './soft-delete.decide';

const NS = 'app';
const now = new Date('2030-01-01T00:00:00.000Z');
const NOW = now.getTime();
const { given } = namespaceDecider(NS);
const { nsCreated, created, updated, restored, deleted, expired, purged } = testEvents(NS);
const rules = { now, limits: DEFAULT_LIMITS };
const restore = (op: KeyOp) => (state: NamespaceState) => decideRestore(op, state, rules);
const purge = (op: KeyOp) => (state: NamespaceState) => decidePurge(op, state, rules);

describe('decideRestore', () => {
  it('brings back the last value, metadata and expiry; the version continues', () => {
    given(nsCreated, created('a'), updated('a', 2, 'last', NOW + 5000, { m: '1' }), deleted('a', 2))
      .when(restore({ key: 'a' }))
      .then({ type: 'StoreEntryRestored', data: { namespace: NS, key: 'a', value: 'last', metadata: { m: '1' }, version: 3, expiresAt: NOW + 5000 } });
  });

  it('restores the latest deletion after a key was created again and deleted again', () => {
    given(nsCreated, created('a', 'old'), deleted('a', 1), created('a', 'new'), deleted('a', 1))
      .when(restore({ key: 'a' }))
      .then(restored('a', 2, 'new'));
  });

  it('refuses a live entry with ENTRY_NOT_DELETED', () => {
    given(nsCreated, created('a')).when(restore({ key: 'a' })).thenFails('ENTRY_NOT_DELETED', { key: 'a', version: 1 });
  });

  it.each([
    ['never written', [nsCreated]],
    ['purged', [nsCreated, created('a'), deleted('a', 1), purged('a', 1)]],
    ['expired', [nsCreated, created('a', 'v', NOW - 1), expired('a', 1)]],
    ['expired, not yet recorded', [nsCreated, created('a', 'v', NOW)]],
    ['deleted, and its TTL has passed since', [nsCreated, created('a', 'v', NOW), deleted('a', 1)]],
  ])('refuses a key that is %s with ENTRY_NOT_FOUND', (_, past) => {
    given(...past).when(restore({ key: 'a' })).thenFails('ENTRY_NOT_FOUND', { key: 'a' });
  });
});

describe('decidePurge', () => {
  it('makes a deleted entry final', () => {
    given(nsCreated, created('a'), updated('a', 2), deleted('a', 2)).when(purge({ key: 'a' })).then(purged('a', 2));
  });

  it('deletes and purges a live entry in one decision', () => {
    given(nsCreated, created('a')).when(purge({ key: 'a' })).then(deleted('a', 1), purged('a', 1));
  });

  it('checks expectedVersion against the live version (0 once deleted)', () => {
    given(nsCreated, created('a')).when(purge({ key: 'a', expectedVersion: 1 })).then(deleted('a', 1), purged('a', 1));
    given(nsCreated, created('a')).when(purge({ key: 'a', expectedVersion: 2 })).thenFails('VERSION_CONFLICT');
    given(nsCreated, created('a'), deleted('a', 1)).when(purge({ key: 'a', expectedVersion: 0 })).then(purged('a', 1));
    given(nsCreated, created('a'), deleted('a', 1)).when(purge({ key: 'a', expectedVersion: 1 })).thenFails('VERSION_CONFLICT');
  });

  it.each([
    ['never written', [nsCreated]],
    ['already purged', [nsCreated, created('a'), deleted('a', 1), purged('a', 1)]],
    ['expired', [nsCreated, created('a', 'v', NOW)]],
  ])('refuses a key that is %s', (_, past) => {
    given(...past).when(purge({ key: 'a' })).thenFails('ENTRY_NOT_FOUND', { key: 'a' });
  });
});
