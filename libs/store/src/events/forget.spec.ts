import { forgetPurged, forgetPurgedRaw, PurgedKeys } from './forget';
import { StoreEvent } from './store-event';

const purgedAt = (revision: number): PurgedKeys => ({ purgedAfter: (ns, key, at) => ns === 'ns' && key === 'k' && revision > at });

const written = (revision: number, key = 'k'): StoreEvent => ({
  id: `e${revision}`, type: 'StoreEntryUpdated', stream: 'store-ns', revision, position: { incarnation: 'i', commit: revision, index: 0 },
  recordedAt: 't', metadata: { actor: 'a', correlationId: 'c', causationId: 'c', schemaVersion: 1, timestamp: 't' },
  data: { namespace: 'ns', key, version: 2, expiresAt: null, value: 'secret', metadata: { note: 'secret' } },
}) as unknown as StoreEvent;

describe('forgetting purged values', () => {
  it('redacts a write made before its key was purged: value and metadata gone, key and version kept', () => {
    expect(forgetPurged(written(3), purgedAt(5)).data).toEqual({
      namespace: 'ns', key: 'k', version: 2, expiresAt: null, value: '', metadata: {}, redacted: 'purged',
    });
  });

  it('leaves writes after the purge, other keys and other event types as they are', () => {
    const after = written(6);
    expect(forgetPurged(after, purgedAt(5))).toBe(after);
    const other = written(3, 'other');
    expect(forgetPurged(other, purgedAt(5))).toBe(other);
    const deleted = { ...written(3), type: 'StoreEntryDeleted', data: { namespace: "ns", key: "k", version: 2 } } as unknown as StoreEvent;
    expect(forgetPurged(deleted, purgedAt(5))).toBe(deleted);
  });

  it('redacts archive lines the same way, base64 values included', () => {
    const line = { type: 'StoreEntryCreated', revision: 1, data: { namespace: 'ns', key: 'k', version: 1, expiresAt: null, valueBase64: '/wD+', metadata: {} } };
    expect(forgetPurgedRaw(line, purgedAt(5)).data).toEqual({ namespace: 'ns', key: 'k', version: 1, expiresAt: null, value: '', metadata: {}, redacted: 'purged' });
    expect(forgetPurgedRaw(line, purgedAt(1))).toBe(line);
  });
});
