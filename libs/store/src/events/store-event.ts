import type { Position, RecordedEvent } from '@app/event-store';
import { BackupCreated, Restored } from './backup-events';
import { ConfigReloaded } from './config-reloaded';
import { ConsumerCheckpointed } from '../consumer/consumer';
import { IdempotentRequestAnswered } from './request-answered';
import { NamespaceEvent } from '../namespace/namespace';
import { LockEvent, LOCK_EVENT_TYPES, lockStream } from '../lock/lock';
import { DomainEvent, namespaceStream, SCHEMA_VERSION, STREAM_PREFIX, StoreEventMetadata } from '../shared/store-events';
import { isObject } from './json-guards';
import type { SchemaMigrated } from './migrations';
import * as is from './store-event.guards';
import { RawEvent, SchemaVersionError, upcast, Upcaster } from './upcast';
import { STORE_UPCASTERS } from './store-upcasters';

/** A store event as the log recorded it, its data and metadata checked. */
export type Recorded<E extends DomainEvent> = E extends DomainEvent ? E & {
  readonly id: string;
  readonly metadata: StoreEventMetadata;
  readonly stream: string;
  readonly revision: number;
  readonly position: Position;
  readonly recordedAt: string;
} : never;

/** Events of the store-wide streams (config, backups, consumers, idempotency answers). */
export type StoreWideEvent = ConfigReloaded | BackupCreated | Restored | ConsumerCheckpointed | IdempotentRequestAnswered | SchemaMigrated;

/** Every event the store writes, as recorded. */
export type StoreEvent = Recorded<NamespaceEvent | StoreWideEvent | LockEvent>;
export type RecordedNamespaceEvent = Recorded<NamespaceEvent>;
export type RecordedLockEvent = Recorded<LockEvent>;

/** A store event that cannot be read: the log holds something this code never wrote, which is corruption. */
export class StoreEventDecodeError extends Error {
  constructor(readonly event: Pick<RecordedEvent, 'id' | 'type' | 'stream' | 'revision'>, problem: string) {
    super(`cannot decode store event ${event.id} (${event.type}, ${event.stream}@${event.revision}): ${problem}`);
  }
}

export interface DecodeOptions {
  readonly upcasters?: readonly Upcaster[];
  readonly currentVersion?: number;
}

/**
 * The one way to read a stored event. Returns undefined for an event outside the store's streams
 * (a foreign stream of EventStoreDB's $all); throws StoreEventDecodeError for an event in a store
 * stream that is not one of the store's types (written by a newer release?) or whose data or
 * metadata does not have its type's shape, after upcasting to the current schemaVersion.
 */
export function toStoreEvent(recorded: RecordedEvent, options: DecodeOptions = {}): StoreEvent | undefined {
  if (!recorded.stream.startsWith(STREAM_PREFIX)) return undefined;
  const raw = upcastOrFail(recorded, options.upcasters ?? STORE_UPCASTERS, options.currentVersion ?? SCHEMA_VERSION);
  const fail = (problem: string) => new StoreEventDecodeError(recorded, problem);
  const metadata = raw.metadata;
  if (!isObject(metadata) || !is.isStoreEventMetadata(metadata)) {
    throw fail('metadata lacks correlationId, causationId, actor, schemaVersion or timestamp, or one of them is not of its type');
  }
  const event = decodeData(raw.type, raw.data, recorded, metadata);
  if (event === 'unknown-type') throw fail('not an event type of this store (written by a newer release?)');
  if (event === undefined) throw fail('its data does not have the shape of its type');
  if ('namespace' in event.data && event.stream !== namespaceStream(event.data.namespace)) {
    throw fail(`a namespace event of ${event.data.namespace} in another stream`);
  }
  if ('lock' in event.data && event.stream !== lockStream(event.data.lock)) {
    throw fail(`an event of lock ${event.data.lock} in another stream`);
  }
  return event;
}

/** Decodes an event that must be the store's (read from a store stream); fails like toStoreEvent. */
export function requireStoreEvent(recorded: RecordedEvent, options?: DecodeOptions): StoreEvent {
  const event = toStoreEvent(recorded, options);
  if (!event) throw new StoreEventDecodeError(recorded, `not in a store stream (${STREAM_PREFIX}…)`);
  return event;
}

function upcastOrFail(recorded: RecordedEvent, upcasters: readonly Upcaster[], currentVersion: number): RawEvent {
  try {
    return upcast(recorded, upcasters, currentVersion);
  } catch (error) {
    if (error instanceof SchemaVersionError) throw new StoreEventDecodeError(recorded, error.message);
    throw error;
  }
}

function decodeData(type: string, data: unknown, recorded: RecordedEvent, metadata: StoreEventMetadata): StoreEvent | undefined | 'unknown-type' {
  const { id, stream, revision, position, recordedAt } = recorded;
  const envelope = { id, metadata, stream, revision, position, recordedAt };
  switch (type) {
    case 'StoreNamespaceCreated': return is.isNamespaceCreatedData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreNamespaceConfigured': return is.isNamespaceConfiguredData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreNamespaceDeleted': return is.isNamespaceDeletedData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreQuotaSet': return is.isQuotaSetData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreTagSet': return is.isTagSetData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreTagRemoved': return is.isTagRemovedData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreDependencyAdded': return is.isDependencyData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreDependencyRemoved': return is.isDependencyData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreSchemaSet': return is.isSchemaSetData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreSchemaRemoved': return is.isSchemaRemovedData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreAccessGranted': return is.isAccessGrantedData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreAccessRevoked': return is.isAccessRevokedData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreKeyRotated': return is.isKeyRotatedData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreKeysShredded': return is.isKeysShreddedData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreEntryCreated': return is.isEntryWrittenData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreEntryUpdated': return is.isEntryWrittenData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreEntryRestored': return is.isEntryWrittenData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreEntryDeleted': return is.isEntryVersionData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreEntryPurged': return is.isEntryVersionData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreEntryExpired': return is.isEntryVersionData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreEntryTtlSet': return is.isEntryTtlSetData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreRollbackPointCreated': return is.isRollbackPointData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreRolledBack': return is.isRolledBackData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreSnapshotCreated': return is.isSnapshotData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreConfigReloaded': return is.isConfigReloadedData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreBackupCreated': return is.isBackupCreatedData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreRestored': return is.isRestoredData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreConsumerCheckpointed': return is.isConsumerCheckpointedData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreLockAcquired': return is.isLockAcquiredData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreLockRenewed': return is.isLockRenewedData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreLockReleased': return is.isLockReleasedData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreLockExpired': return is.isLockExpiredData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreSchemaMigrated': return is.isSchemaMigratedData(data) ? { ...envelope, type, data } : undefined;
    case 'StoreIdempotentRequestAnswered': return is.isRequestAnsweredData(data) ? { ...envelope, type, data } : undefined;
    default: return 'unknown-type';
  }
}

const NAMESPACE_EVENT_TYPES: ReadonlySet<string> = new Set<NamespaceEvent['type']>([
  'StoreNamespaceCreated', 'StoreNamespaceConfigured', 'StoreEntryCreated', 'StoreEntryUpdated', 'StoreEntryDeleted',
  'StoreEntryRestored', 'StoreEntryPurged', 'StoreEntryTtlSet', 'StoreEntryExpired', 'StoreRollbackPointCreated',
  'StoreRolledBack', 'StoreSnapshotCreated', 'StoreNamespaceDeleted', 'StoreQuotaSet', 'StoreTagSet', 'StoreTagRemoved',
  'StoreDependencyAdded', 'StoreDependencyRemoved', 'StoreSchemaSet', 'StoreSchemaRemoved', 'StoreAccessGranted', 'StoreAccessRevoked',
  'StoreKeyRotated', 'StoreKeysShredded',
]);

/** Events of a namespace stream (the decoder checked that each is in its namespace's own stream). */
export const isNamespaceEvent = (event: StoreEvent): event is RecordedNamespaceEvent => NAMESPACE_EVENT_TYPES.has(event.type);

const LOCK_TYPES: ReadonlySet<string> = new Set(LOCK_EVENT_TYPES);

/** Events of a lock's stream. */
export const isLockEvent = (event: StoreEvent): event is RecordedLockEvent => LOCK_TYPES.has(event.type);
