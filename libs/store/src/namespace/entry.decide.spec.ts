import { NamespaceCreated, NamespaceState } from './namespace';
import { namespaceDecider } from './given-when-then';
import { DEFAULT_LIMITS, StoreLimits } from '../shared/limits';
import { EntryCreated, EntryDeleted, EntryExpired, EntryUpdated, EntryWrittenData } from './entry';
import { decideWrites, DeleteOp, EntryOp, PutOp } from './entry.decide';

const NS = 'app';
const now = new Date('2030-01-01T00:00:00.000Z');
const NOW = now.getTime();
const limits: StoreLimits = {
  ...DEFAULT_LIMITS,
  maxValueBytes: 16,
  maxMetadataKeyBytes: 8,
  maxMetadataValueBytes: 16,
  maxTransactionOps: 4,
  maxTransactionBytes: 40,
  maxTtlSeconds: 3600,
};

const { given } = namespaceDecider(NS);
const writes = (...ops: EntryOp[]) => (state: NamespaceState) => decideWrites(ops, state, { now, limits });
/** CommitTransaction: a transaction even with a single op. */
const transaction = (...ops: EntryOp[]) => (state: NamespaceState) => decideWrites(ops, state, { now, limits }, true);
const put = (key: string, value: string | Uint8Array = 'v', extra: Partial<Omit<PutOp, 'op'>> = {}): PutOp => ({
  op: 'put',
  key,
  value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value,
  ...extra,
});
const del = (key: string, expectedVersion?: number): DeleteOp =>
  expectedVersion === undefined ? { op: 'delete', key } : { op: 'delete', key, expectedVersion };

interface Written {
  value?: string;
  valueBase64?: string;
  metadata?: Record<string, string>;
  expiresAt?: number | null;
}
const written = (key: string, version: number, w: Written): EntryWrittenData => ({
  namespace: NS,
  key,
  ...(w.valueBase64 !== undefined ? { valueBase64: w.valueBase64 } : { value: w.value ?? 'v' }),
  metadata: w.metadata ?? {},
  expiresAt: w.expiresAt ?? null,
  version,
});
const nsCreated: NamespaceCreated = { type: 'StoreNamespaceCreated', data: { namespace: NS } };
const created = (key: string, version = 1, w: Written = {}): EntryCreated => ({ type: 'StoreEntryCreated', data: written(key, version, w) });
const updated = (key: string, version: number, w: Written = {}): EntryUpdated => ({ type: 'StoreEntryUpdated', data: written(key, version, w) });
const deleted = (key: string, version: number): EntryDeleted => ({ type: 'StoreEntryDeleted', data: { namespace: NS, key, version } });
const expired = (key: string, version: number): EntryExpired => ({ type: 'StoreEntryExpired', data: { namespace: NS, key, version } });

describe('decideWrites: put', () => {
  it('creates the namespace first, then the entry at version 1', () => {
    given().when(writes(put('a', 'hello'))).then(nsCreated, created('a', 1, { value: 'hello' }));
  });

  it('creates a new key in an existing namespace without creating the namespace again', () => {
    given(nsCreated, created('b')).when(writes(put('a', 'hello'))).then(created('a', 1, { value: 'hello' }));
  });

  it('updates an existing key to version + 1, with the new value and metadata', () => {
    given(nsCreated, created('a'), updated('a', 2))
      .when(writes(put('a', 'x', { metadata: { owner: 'ops' } })))
      .then(updated('a', 3, { value: 'x', metadata: { owner: 'ops' } }));
  });

  it('starts again at version 1 when a deleted key is created again', () => {
    given(nsCreated, created('a'), updated('a', 2), deleted('a', 2)).when(writes(put('a'))).then(created('a', 1));
  });

  it.each([
    ['at now', NOW],
    ['before now', NOW - 1],
  ])('treats an entry that expired %s as absent: a put records the expiry, then creates version 1', (_, expiresAt) => {
    given(nsCreated, created('a', 1), updated('a', 2, { expiresAt })).when(writes(put('a'))).then(expired('a', 2), created('a', 1));
  });

  it('does not record an expiry that is already recorded', () => {
    given(nsCreated, created('a', 1, { expiresAt: NOW }), expired('a', 1)).when(writes(put('a'))).then(created('a', 1));
  });

  it('creates a soft-deleted key again at version 1', () => {
    given(nsCreated, created('a'), updated('a', 2), deleted('a', 2)).when(writes(put('a', 'w'))).then(created('a', 1, { value: 'w' }));
  });

  it('treats an entry expiring 1 ms after now as live', () => {
    given(nsCreated, created('a', 1, { expiresAt: NOW + 1 })).when(writes(put('a'))).then(updated('a', 2));
  });

  it('clears the expiry of a live entry when a put has no ttlSeconds', () => {
    given(nsCreated, created('a', 1, { expiresAt: NOW + 5000 })).when(writes(put('a'))).then(updated('a', 2, { expiresAt: null }));
  });
});

describe('decideWrites: ttlSeconds', () => {
  it.each([
    [1, NOW + 1000],
    [60, NOW + 60_000],
    [3600, NOW + 3_600_000], // exactly maxTtlSeconds
  ])('ttlSeconds %d expires at now + ttl * 1000', (ttlSeconds, expiresAt) => {
    given(nsCreated).when(writes(put('a', 'v', { ttlSeconds }))).then(created('a', 1, { expiresAt }));
  });

  it.each([0, -1, 1.5, 3601, Number.NaN, Number.POSITIVE_INFINITY])('refuses ttlSeconds %d', (ttlSeconds) => {
    given(nsCreated).when(writes(put('a', 'v', { ttlSeconds }))).thenFails('VALIDATION_FAILED');
  });
});

describe('decideWrites: expectedVersion', () => {
  const atVersion2 = [nsCreated, created('a'), updated('a', 2)];

  it('0 accepts a key that does not exist', () => {
    given(nsCreated).when(writes(put('a', 'v', { expectedVersion: 0 }))).then(created('a'));
  });

  it('0 accepts a key that has expired', () => {
    given(nsCreated, created('a', 1, { expiresAt: NOW })).when(writes(put('a', 'v', { expectedVersion: 0 }))).then(expired('a', 1), created('a'));
  });

  it('0 refuses a key that exists, naming both versions', () => {
    given(...atVersion2)
      .when(writes(put('a', 'v', { expectedVersion: 0 })))
      .thenFails('VERSION_CONFLICT', { key: 'a', expectedVersion: 0, actualVersion: 2 });
  });

  it('the current version accepts the put', () => {
    given(...atVersion2).when(writes(put('a', 'v', { expectedVersion: 2 }))).then(updated('a', 3));
  });

  it('another version refuses the put', () => {
    given(...atVersion2)
      .when(writes(put('a', 'v', { expectedVersion: 1 })))
      .thenFails('VERSION_CONFLICT', { key: 'a', expectedVersion: 1, actualVersion: 2 });
  });

  it('a version > 0 refuses a key that does not exist', () => {
    given(nsCreated)
      .when(writes(put('a', 'v', { expectedVersion: 1 })))
      .thenFails('VERSION_CONFLICT', { key: 'a', expectedVersion: 1, actualVersion: 0 });
  });

  it.each([-1, 1.5, Number.NaN])('%d is not a version', (expectedVersion) => {
    given(...atVersion2).when(writes(put('a', 'v', { expectedVersion }))).thenFails('VALIDATION_FAILED', { key: 'a' });
  });

  it('applies to deletes: a match deletes, a mismatch conflicts, -1 is refused', () => {
    given(...atVersion2).when(writes(del('a', 2))).then(deleted('a', 2));
    given(...atVersion2).when(writes(del('a', 3))).thenFails('VERSION_CONFLICT', { key: 'a', expectedVersion: 3, actualVersion: 2 });
    given(...atVersion2).when(writes(del('a', -1))).thenFails('VALIDATION_FAILED', { key: 'a' });
  });
});

describe('decideWrites: delete', () => {
  it('emits the version it deletes', () => {
    given(nsCreated, created('a'), updated('a', 2), updated('a', 3)).when(writes(del('a'))).then(deleted('a', 3));
  });

  it('refuses a key that was never written', () => {
    given(nsCreated, created('b')).when(writes(del('a'))).thenFails('ENTRY_NOT_FOUND', { key: 'a' });
  });

  it('refuses a key that is already deleted', () => {
    given(nsCreated, created('a'), deleted('a', 1)).when(writes(del('a'))).thenFails('ENTRY_NOT_FOUND', { key: 'a' });
  });

  it('refuses a key that has expired', () => {
    given(nsCreated, created('a', 1, { expiresAt: NOW })).when(writes(del('a'))).thenFails('ENTRY_NOT_FOUND', { key: 'a' });
  });

  it('refuses a key of a namespace that does not exist, and does not create the namespace', () => {
    given().when(writes(del('a'))).thenFails('ENTRY_NOT_FOUND', { key: 'a' });
  });
});

describe('decideWrites: values', () => {
  it.each([
    ['ASCII', 'hello'],
    ['multi-byte UTF-8', 'grüße 🙂'],
    ['empty', ''],
  ])('keeps %s text as `value`', (_, text) => {
    given(nsCreated).when(writes(put('a', text))).then(created('a', 1, { value: text }));
  });

  it.each([
    ['bytes that are never UTF-8', [0xff, 0xfe, 0x00], '//4A'],
    ['a truncated sequence', [0x61, 0xe2, 0x82], 'YeKC'],
    ['an encoded surrogate', [0xed, 0xa0, 0x80], '7aCA'],
  ])('carries %s as `valueBase64`', (_, bytes, valueBase64) => {
    given(nsCreated).when(writes(put('a', Uint8Array.from(bytes)))).then(created('a', 1, { valueBase64 }));
  });

  // A default TextDecoder drops a leading BOM, which would silently change the stored bytes.
  it('keeps a leading byte-order mark as part of the value', () => {
    given(nsCreated).when(writes(put('a', Uint8Array.from([0xef, 0xbb, 0xbf, 0x61])))).then(created('a', 1, { value: '\ufeffa' }));
  });

  it('accepts a value of exactly maxValueBytes', () => {
    given(nsCreated).when(writes(put('a', 'x'.repeat(16)))).then(created('a', 1, { value: 'x'.repeat(16) }));
  });

  it('refuses a value over maxValueBytes', () => {
    given(nsCreated).when(writes(put('a', 'x'.repeat(17)))).thenFails('PAYLOAD_TOO_LARGE', { key: 'a' });
  });

  it('counts the value in bytes, not characters', () => {
    given(nsCreated).when(writes(put('a', 'ä'.repeat(9)))).thenFails('PAYLOAD_TOO_LARGE', { key: 'a' });
  });
});

describe('decideWrites: keys', () => {
  it.each([
    ['1024 ASCII bytes', 'k'.repeat(1024)],
    ['1024 bytes of 2-byte characters', 'é'.repeat(512)],
    ['1024 bytes of 4-byte characters', '🙂'.repeat(256)],
    ['slashes', 'config/db/host'],
    ['a single slash', '/'],
    ['spaces and non-breaking spaces', 'a b\u00a0c'],
  ])('accepts %s', (_, key) => {
    given(nsCreated).when(writes(put(key))).then(created(key));
  });

  it.each([
    ['empty', ''],
    ['1025 ASCII bytes', 'k'.repeat(1025)],
    ['1025 bytes in 513 characters', 'é'.repeat(512) + 'k'],
    ['NUL', 'a\u0000b'],
    ['a newline', 'a\nb'],
    ['a tab', '\tb'],
    ['U+001F', 'a\u001f'],
    ['DEL', 'a\u007fb'],
    ['NEL (C1)', 'a\u0085b'],
    ['U+009F (C1)', 'a\u009f'],
    ['a lone high surrogate', 'a\ud83d'],
    ['a lone low surrogate', '\ude42b'],
  ])('refuses %s with KEY_INVALID', (_, key) => {
    given(nsCreated).when(writes(put(key))).thenFails('KEY_INVALID', { key: key.slice(0, 100) });
  });
});

describe('decideWrites: metadata', () => {
  const pairs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${i}`, `v${i}`]));

  it('accepts 64 pairs and records them', () => {
    given(nsCreated).when(writes(put('a', 'v', { metadata: pairs(64) }))).then(created('a', 1, { metadata: pairs(64) }));
  });

  it('accepts a name and a value of exactly the byte limits', () => {
    const metadata = { ['é'.repeat(4)]: 'ü'.repeat(8) };
    given(nsCreated).when(writes(put('a', 'v', { metadata }))).then(created('a', 1, { metadata }));
  });

  it.each([
    ['65 pairs', pairs(65)],
    ['an empty name', { '': 'v' }],
    ['a name over maxMetadataKeyBytes', { ['n'.repeat(9)]: 'v' }],
    ['a name over the limit in bytes only', { ['é'.repeat(5)]: 'v' }],
    ['a value over maxMetadataValueBytes', { n: 'v'.repeat(17) }],
    ['a number value', { n: 1 as unknown as string }],
    ['a null value', { n: null as unknown as string }],
  ])('refuses %s', (_, metadata) => {
    given(nsCreated).when(writes(put('a', 'v', { metadata }))).thenFails('VALIDATION_FAILED');
  });
});

describe('decideWrites: transactions', () => {
  it('refuses an empty transaction', () => {
    given(nsCreated).when(writes()).thenFails('VALIDATION_FAILED');
  });

  it('accepts maxTransactionOps ops and refuses one more', () => {
    given(nsCreated)
      .when(writes(put('a'), put('b'), put('c'), put('d')))
      .then(created('a'), created('b'), created('c'), created('d'));
    given(nsCreated).when(writes(put('a'), put('b'), put('c'), put('d'), put('e'))).thenFails('TRANSACTION_TOO_LARGE');
  });

  it('accepts values totalling maxTransactionBytes and refuses one byte more', () => {
    const [x16, x8, x9] = ['x'.repeat(16), 'x'.repeat(8), 'x'.repeat(9)];
    given(nsCreated)
      .when(writes(put('a', x16), put('b', x16), put('c', x8)))
      .then(created('a', 1, { value: x16 }), created('b', 1, { value: x16 }), created('c', 1, { value: x8 }));
    given(nsCreated).when(writes(put('a', x16), put('b', x16), put('c', x9))).thenFails('TRANSACTION_TOO_LARGE');
  });

  it('refuses a key that appears twice, naming the second op', () => {
    given(nsCreated, created('a'))
      .when(writes(put('a'), put('b'), del('a')))
      .thenFails('VALIDATION_FAILED', { opIndex: 2, key: 'a' });
  });

  it('refuses all ops when op 2 fails: the error names op 2 and nothing is emitted', () => {
    given(nsCreated, created('b'))
      .when(writes(put('a'), del('b'), put('c', 'v', { expectedVersion: 5 }), put('d')))
      .thenFails('VERSION_CONFLICT', { key: 'c', expectedVersion: 5, actualVersion: 0, opIndex: 2 });
  });

  it('refuses all ops of a transaction that would create the namespace, namespace included', () => {
    given().when(writes(put('a'), put('b'), put(''))).thenFails('KEY_INVALID', { key: '', opIndex: 2 });
  });

  it('decides every op against the state before the transaction, and emits them in op order', () => {
    // Keys are unique within a transaction, so no op can see the effect of an earlier one.
    given(nsCreated, created('b'), updated('b', 2), created('c', 1, { expiresAt: NOW }), created('d'))
      .when(writes(put('a'), del('b', 2), put('c', 'v', { expectedVersion: 0 }), put('d', 'new', { expectedVersion: 1 })))
      .then(created('a'), deleted('b', 2), expired('c', 1), created('c'), updated('d', 2, { value: 'new' }));
  });

  it('creates a missing namespace once, before the entries', () => {
    given().when(writes(put('a'), put('b'))).then(nsCreated, created('a'), created('b'));
  });

  it('refuses deletes alone in a missing namespace without creating it: NAMESPACE_NOT_FOUND', () => {
    given().when(writes(del('a'), del('b'))).thenFails('NAMESPACE_NOT_FOUND');
    given().when(transaction(del('a', 0))).thenFails('NAMESPACE_NOT_FOUND');
  });
});

describe('decideWrites: a delete of an absent key inside a transaction (as in etcd)', () => {
  it.each([
    ['never written', [nsCreated, created('b')]],
    ['deleted', [nsCreated, created('b'), created('a'), deleted('a', 1)]],
    ['expired', [nsCreated, created('b'), created('a', 1, { expiresAt: NOW })]],
    ['expired and recorded', [nsCreated, created('b'), created('a', 1, { expiresAt: NOW }), expired('a', 1)]],
  ])('is a no-op for a key that was %s: no event, the other ops apply', (_, past) => {
    given(...past).when(transaction(put('c'), del('a'), del('b'))).then(created('c'), deleted('b', 1));
  });

  it('emits nothing when every op is a no-op', () => {
    given(nsCreated, created('b')).when(transaction(del('a'))).then();
    given(nsCreated, created('b')).when(transaction(del('a'), del('x'))).then();
  });

  it('with expectedVersion 0 passes for an absent key and emits nothing for it', () => {
    given(nsCreated, created('b')).when(transaction(del('a', 0), put('c'))).then(created('c'));
  });

  it('with expectedVersion n refuses an absent key with VERSION_CONFLICT naming the op', () => {
    given(nsCreated, created('b'))
      .when(transaction(put('c'), del('a', 2)))
      .thenFails('VERSION_CONFLICT', { key: 'a', expectedVersion: 2, actualVersion: 0, opIndex: 1 });
  });

  it('with expectedVersion 0 refuses a live key', () => {
    given(nsCreated, created('a')).when(transaction(del('a', 0))).thenFails('VERSION_CONFLICT', { key: 'a', expectedVersion: 0, actualVersion: 1, opIndex: 0 });
  });

  it('creates a missing namespace when a put comes with it', () => {
    given().when(transaction(del('a'), put('b'))).then(nsCreated, created('b'));
  });

  it('still checks the key of a no-op delete', () => {
    given(nsCreated).when(transaction(del(''))).thenFails('KEY_INVALID', { key: '', opIndex: 0 });
  });

  it('outside a transaction (DeleteEntry) an absent key stays ENTRY_NOT_FOUND', () => {
    given(nsCreated, created('b')).when(writes(del('a'))).thenFails('ENTRY_NOT_FOUND', { key: 'a' });
  });
});
