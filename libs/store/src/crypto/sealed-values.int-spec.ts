import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntryCreated, sealedValueBytes } from '../namespace/entry';
import { enforceQuota } from '../namespace/quota.decide';
import { initialNamespaceState, NamespaceEvent } from '../namespace/namespace';
import { KeyVault } from './key-vault';
import { NamespaceKeys } from './sealed-values';

const now = new Date('2026-11-29T12:00:00Z');
const put = (key: string, content: { value?: string; valueBase64?: string; metadata: Record<string, string> }): EntryCreated =>
  ({ type: 'StoreEntryCreated', data: { namespace: 'ns', key, version: 1, expiresAt: null, ...content } as EntryCreated['data'] });
const encrypted = { ...initialNamespaceState('ns'), exists: true, encrypted: true };
const dataOf = (events: NamespaceEvent[]) => (events[0] as EntryCreated).data;

describe('sealing the values of an encrypted namespace', () => {
  let dir: string;
  let vault: KeyVault;
  let keys: NamespaceKeys;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sealed-'));
    vault = KeyVault.open(join(dir, 'keys.db'), randomBytes(32), now);
    keys = new NamespaceKeys(vault);
  });
  afterEach(() => {
    keys.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores a value of n bytes as sealedValueBytes(n) bytes, which is what the quota of an encrypted namespace checks', () => {
    for (const n of [0, 1, 2, 3, 4, 100, 1000, 4096]) {
      const text = dataOf(keys.sealEvents(encrypted, [put('t', { value: 'x'.repeat(n), metadata: {} })], now));
      const bytes = dataOf(keys.sealEvents(encrypted, [put('b', { valueBase64: randomBytes(n).toString('base64'), metadata: {} })], now));
      expect([Buffer.byteLength(text.value!), Buffer.byteLength(bytes.value!)]).toEqual([sealedValueBytes(n), sealedValueBytes(n)]);
    }
    // key 'k' (1 byte) + a 10-byte value sealed: the limit just below refuses it, the sealed size itself admits it.
    const needed = 1 + sealedValueBytes(10);
    const write = [put('k', { value: 'v'.repeat(10), metadata: {} })];
    expect(() => enforceQuota({ ...encrypted, quota: { maxEntries: null, maxBytes: needed - 1 } }, write)).toThrow(expect.objectContaining({
      code: 'QUOTA_EXCEEDED', details: expect.objectContaining({ requested: needed }),
    }));
    expect(() => enforceQuota({ ...encrypted, quota: { maxEntries: null, maxBytes: needed } }, write)).not.toThrow();
    expect(() => enforceQuota({ ...encrypted, encrypted: false, quota: { maxEntries: null, maxBytes: 11 } }, write)).not.toThrow();
  });

  it('seals text, bytes and metadata values (not names) and opens them back; plain namespaces pass as they are', () => {
    const events = [put('a', { value: 'secret', metadata: { owner: 'me' } })];
    expect(keys.sealEvents({ ...encrypted, encrypted: false }, events, now)).toBe(events);
    const sealed = dataOf(keys.sealEvents(encrypted, events, now));
    expect(sealed.value).toMatch(/^hxs1:[0-9a-f-]{36}:/);
    expect(sealed.valueBase64).toBeUndefined();
    expect(Object.keys(sealed.metadata)).toEqual(['owner']);
    expect(JSON.stringify(sealed)).not.toContain('secret');
    expect(keys.openContent('ns', 'a', sealed)).toMatchObject({ value: 'secret', metadata: { owner: 'me' } });
    const bytes = dataOf(keys.sealEvents(encrypted, [put('b', { valueBase64: '/wD+', metadata: {} })], now));
    expect(keys.openContent('ns', 'b', bytes)).toEqual(expect.objectContaining({ valueBase64: '/wD+' }));
    expect(keys.openContent('ns', 'b', bytes).value).toBeUndefined();
  });

  it('binds a sealed value to its namespace and key: moved to another key it does not open', () => {
    const sealed = dataOf(keys.sealEvents(encrypted, [put('a', { value: 'secret', metadata: {} })], now));
    expect(() => keys.openContent('ns', 'other', sealed)).toThrow(expect.objectContaining({ code: 'KEY_UNAVAILABLE' }));
  });

  it('leaves a value copied from its own past sealed as it is (no double sealing), and seals a forged envelope', () => {
    const sealed = dataOf(keys.sealEvents(encrypted, [put('a', { value: 'secret', metadata: { m: 'x' } })], now));
    const copied = dataOf(keys.sealEvents(encrypted, [put('a', { value: sealed.value!, metadata: sealed.metadata })], now));
    expect(copied.value).toBe(sealed.value);
    expect(copied.metadata).toEqual(sealed.metadata);
    const forged = `hxs1:${keys.list('ns')[0].keyId}:${randomBytes(40).toString('base64')}`;
    const resealed = dataOf(keys.sealEvents(encrypted, [put('a', { value: forged, metadata: {} })], now));
    expect(keys.openContent('ns', 'a', resealed).value).toBe(forged);
  });

  it('rotation keeps old values opening; a shred makes them VALUE_SHREDDED; without a vault nothing opens (KEY_UNAVAILABLE)', () => {
    const old = dataOf(keys.sealEvents(encrypted, [put('a', { value: 'v1', metadata: {} })], now));
    const rotation = keys.rotate('ns', now);
    const fresh = dataOf(keys.sealEvents(encrypted, [put('b', { value: 'v2', metadata: {} })], now));
    expect(fresh.value).toContain(rotation.keyId);
    expect(keys.openContent('ns', 'a', old).value).toBe('v1');
    expect(keys.shred('ns')).toHaveLength(2);
    expect(() => keys.openContent('ns', 'a', old)).toThrow(expect.objectContaining({ code: 'VALUE_SHREDDED' }));
    expect(() => new NamespaceKeys(undefined).openContent('ns', 'b', fresh)).toThrow(expect.objectContaining({ code: 'KEY_UNAVAILABLE' }));
  });

  it('never reuses a nonce over many seals of one value', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const sealed = dataOf(keys.sealEvents(encrypted, [put('a', { value: 'same', metadata: {} })], now)).value!;
      seen.add(Buffer.from(sealed.split(':')[2], 'base64').subarray(0, 12).toString('hex'));
    }
    expect(seen.size).toBe(20_000);
  });
});
