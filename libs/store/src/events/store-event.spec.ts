import { SCHEMA_VERSION } from '../shared/store-events';
import { STORE_MIGRATIONS } from './store-upcasters';
import { position, RecordedEvent } from '@app/event-store';
import type { ConfigReloaded as ConfigReloadedOfCommand } from '../commands/config.commands';
import { ConfigReloaded } from './config-reloaded';
import { requireStoreEvent, StoreEventDecodeError, toStoreEvent } from './store-event';

const metadata = { correlationId: 'c', causationId: 'q', actor: 'ann', schemaVersion: SCHEMA_VERSION, timestamp: '2026-01-01T00:00:00.000Z' };

const recorded = (type: string, data: unknown, over: Partial<RecordedEvent> = {}): RecordedEvent => ({
  id: 'e1', type, data, metadata, stream: 'store-app', revision: 3, position: position('inc', 7), recordedAt: '2026-01-01T00:00:01.000Z', ...over,
});

const entry = { namespace: 'app', key: 'k', value: 'v', metadata: { lang: 'en' }, version: 1, expiresAt: null };
const ended = { namespace: 'app', key: 'k', version: 2 };
const wide = { stream: 'store-_store' };

const every: [string, unknown, Partial<RecordedEvent>?][] = [
  ['StoreNamespaceCreated', { namespace: 'app' }],
  ['StoreNamespaceConfigured', { namespace: 'app', defaultTtlSeconds: 60 }],
  ['StoreEntryCreated', entry],
  ['StoreEntryUpdated', { ...entry, value: undefined, valueBase64: '/w==', version: 2 }],
  ['StoreEntryRestored', { ...entry, version: 3, expiresAt: 1_800_000_000_000 }],
  ['StoreEntryDeleted', ended],
  ['StoreEntryPurged', ended],
  ['StoreEntryExpired', ended],
  ['StoreEntryTtlSet', { ...ended, expiresAt: null }],
  ['StoreRollbackPointCreated', { namespace: 'app', id: 'p1', stage: null, label: 'before', revision: 2 }],
  ['StoreRolledBack', { namespace: 'app', pointId: 'p1', toRevision: 2, undoPointId: 'p2', diff: { restored: ['a'], changed: [], removed: ['b'] } }],
  ['StoreSnapshotCreated', { namespace: 'app', id: 's1', revision: 2, entryCount: 1, bytes: 7 }],
  ['StoreNamespaceDeleted', { namespace: 'app' }],
  ['StoreQuotaSet', { namespace: 'app', maxEntries: 10, maxBytes: null }],
  ['StoreTagSet', { namespace: 'app', tag: 'team-a', color: '#00ff88' }],
  ['StoreTagRemoved', { namespace: 'app', tag: 'team-a' }],
  ['StoreDependencyAdded', { namespace: 'app', dependsOn: 'users' }],
  ['StoreDependencyRemoved', { namespace: 'app', dependsOn: 'users' }],
  ['StoreConfigReloaded', { sha256: 'ab', changes: [{ namespace: 'app', change: 'configured', defaultTtlSeconds: null }], unchanged: false, trigger: 'http' }, wide],
  ['StoreBackupCreated', { namespaces: ['app'], eventCount: 4, headPosition: null, sha256: 'ab' }, wide],
  ['StoreRestored', {
    namespaces: ['app'], eventCount: 4, sha256: 'ab', archiveCreatedAt: '2026-01-01T00:00:00.000Z', sourceBackend: 'sqlite',
    sourceIncarnation: 'a', sourceHeadPosition: 'a:4', previousIncarnation: 'b', incarnation: 'c',
  }, wide],
  ['StoreConsumerCheckpointed', { consumer: 'mailer', position: 'inc:7' }, { stream: 'store-_consumer-mailer' }],
  ['StoreIdempotentRequestAnswered', { key: 'k1', fingerprint: 'f', response: { version: 1 } }, { stream: 'store-_idempotency' }],
];

describe('toStoreEvent', () => {
  // Loops rather than it.each: jest-each stalls formatting these rows.
  for (const [type, data, over] of every) {
    it(`decodes ${type} with its data and metadata`, () => {
      const event = recorded(type, JSON.parse(JSON.stringify(data)), over);
      expect(toStoreEvent(event)).toEqual(event);
    });
  }

  it('keeps the idempotency fields of the metadata', () => {
    const withKey = { ...metadata, idempotencyKey: 'k1', requestFingerprint: 'f' };
    expect(toStoreEvent(recorded('StoreEntryCreated', entry, { metadata: withKey }))?.metadata).toEqual(withKey);
  });

  it('leaves events of other streams (EventStoreDB $all) alone', () => {
    expect(toStoreEvent(recorded('OrderPlaced', { anything: 1 }, { stream: 'orders-1', metadata: {} }))).toBeUndefined();
    expect(() => requireStoreEvent(recorded('OrderPlaced', {}, { stream: 'orders-1' }))).toThrow(/not in a store stream/);
  });

  it('refuses a type of a store stream that this code does not know, naming the event', () => {
    expect(() => toStoreEvent(recorded('StoreLockAcquired', { namespace: 'app' }))).toThrow(
      new StoreEventDecodeError(recorded('StoreLockAcquired', {}), 'not an event type of this store (written by a newer release?)'),
    );
    expect(() => toStoreEvent(recorded('StoreLockAcquired', {}))).toThrow('cannot decode store event e1 (StoreLockAcquired, store-app@3)');
  });

  const malformed: [string, string, unknown][] = [
    ['a number value', 'StoreEntryCreated', { ...entry, value: 1 }],
    ['both value and valueBase64', 'StoreEntryCreated', { ...entry, valueBase64: '/w==' }],
    ['neither value nor valueBase64', 'StoreEntryUpdated', { ...entry, value: undefined }],
    ['metadata with a number', 'StoreEntryCreated', { ...entry, metadata: { n: 1 } }],
    ['no key', 'StoreEntryDeleted', { namespace: 'app', version: 1 }],
    ['an expiry that is text', 'StoreEntryTtlSet', { ...ended, expiresAt: 'soon' }],
    ['no data at all', 'StoreNamespaceCreated', null],
    ['a diff without removed keys', 'StoreRolledBack', { namespace: 'app', pointId: 'p', toRevision: 1, undoPointId: 'u', diff: { restored: [], changed: [] } }],
    ['an unknown reload trigger', 'StoreConfigReloaded', { sha256: 'ab', changes: [], unchanged: true, trigger: 'cron' }],
    ['an answer without its response', 'StoreIdempotentRequestAnswered', { key: 'k', fingerprint: 'f' }],
  ];
  for (const [problem, type, data] of malformed) {
    it(`refuses data with ${problem}`, () => {
      expect(() => toStoreEvent(recorded(type, data))).toThrow(`cannot decode store event e1 (${type}, store-app@3): its data does not have the shape of its type`);
    });
  }

  it('refuses a namespace event in another namespace\'s stream', () => {
    expect(() => toStoreEvent(recorded('StoreNamespaceCreated', { namespace: 'other' }))).toThrow(/a namespace event of other in another stream/);
  });

  const badMetadata: [string, Record<string, unknown>][] = [
    ['no actor', { ...metadata, actor: undefined }],
    ['a timestamp that is a number', { ...metadata, timestamp: 1 }],
    ['an idempotency key that is a number', { ...metadata, idempotencyKey: 7 }],
  ];
  for (const [problem, bad] of badMetadata) {
    it(`refuses metadata with ${problem}`, () => {
      expect(() => toStoreEvent(recorded('StoreEntryCreated', entry, { metadata: bad }))).toThrow(/cannot decode store event e1 .*: metadata lacks/);
    });
  }

  it('refuses an event written by a newer schema, or with a schemaVersion that is not a number', () => {
    expect(() => toStoreEvent(recorded('StoreEntryCreated', entry, { metadata: { ...metadata, schemaVersion: SCHEMA_VERSION + 1 } }))).toThrow(/schemaVersion 3 is newer/);
    expect(() => toStoreEvent(recorded('StoreEntryCreated', entry, { metadata: { ...metadata, schemaVersion: '1' } }))).toThrow(/"1" is not a version/);
  });

  it('reads metadata written before schemaVersion existed: missing who and why as the feed showed them, the time as recorded', () => {
    const old = recorded('StoreEntryCreated', entry, { metadata: { actor: 'ann' } });
    expect(toStoreEvent(old)?.metadata).toEqual({ actor: 'ann', correlationId: '', causationId: '', schemaVersion: SCHEMA_VERSION, timestamp: old.recordedAt });
  });

  it('reads a version 1 StoreSnapshotCreated in the current shape: its size was not recorded, so bytes is null', () => {
    const v1 = { namespace: 'app', id: 's1', revision: 2, entryCount: 1 };
    const event = toStoreEvent(recorded('StoreSnapshotCreated', v1, { metadata: { ...metadata, schemaVersion: 1 } }));
    expect(event).toMatchObject({ type: 'StoreSnapshotCreated', data: { ...v1, bytes: null }, metadata: { schemaVersion: SCHEMA_VERSION } });
    const v2 = { ...v1, bytes: 12 };
    expect(toStoreEvent(recorded('StoreSnapshotCreated', v2))?.data).toEqual(v2);
    expect(() => toStoreEvent(recorded('StoreSnapshotCreated', v1))).toThrow(/does not have the shape/);
  });

  it('leaves the other events of version 1 as they were: version 2 changed only snapshots', () => {
    expect(toStoreEvent(recorded('StoreEntryCreated', entry, { metadata: { ...metadata, schemaVersion: 1 } }))?.data).toEqual(entry);
  });

  it('every migration has a unique id and reads from a version below the current one, one step at a time', () => {
    const ids = STORE_MIGRATIONS.map((m) => m.migrationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(STORE_MIGRATIONS.map((m) => m.fromVersion)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, v) => v));
    for (const m of STORE_MIGRATIONS) expect(m.upcasters.every((u) => u.fromVersion === m.fromVersion)).toBe(true);
  });
});

// The config file's command declares its own copy of the event until it imports config/config.ts; they must not drift.
const sameConfigEvent = (event: ConfigReloadedOfCommand): ConfigReloaded => event;
const sameConfigEventBack = (event: ConfigReloaded): ConfigReloadedOfCommand => event;
void [sameConfigEvent, sameConfigEventBack];
