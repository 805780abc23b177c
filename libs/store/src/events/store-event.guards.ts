import { ConfigChange, ConfigReloaded, RELOAD_TRIGGERS } from './config-reloaded';
import { BackupCreatedData, RestoredData } from './backup-events';
import { ConsumerCheckpointed } from '../consumer/consumer';
import { EntryTtlSetData, EntryVersionData, EntryWrittenData } from '../namespace/entry';
import { RequestAnsweredData } from './request-answered';
import { KeyRotated, KeysShredded, NamespaceConfigured, NamespaceCreated, NamespaceDeleted } from '../namespace/namespace';
import { AccessGranted, AccessRevoked, isAccess } from '../namespace/access';
import { DependencyAdded, QuotaSet, TagRemoved, TagSet } from '../namespace/governance';
import { RolledBackData, RollbackPointData } from '../namespace/rollback';
import { SnapshotData } from '../namespace/snapshot';
import type { SchemaMigratedData } from './migrations';
import { SchemaRemoved, SchemaSet } from '../namespace/value-schema';
import { StoreEventMetadata } from '../shared/store-events';
import { LockAcquired, LockExpired, LockReleased, LockRenewed } from '../lock/lock';
import {
  isNullableNumber, isNullableString, isNumber, isObject, isString, isStringList, isStringRecord, Json,
} from './json-guards';

/** The fields projections, the feed and history rely on; checked once per event when it is decoded. */
export function isStoreEventMetadata(m: Json): m is StoreEventMetadata {
  return isString(m.correlationId) && isString(m.causationId) && isString(m.actor) && isNumber(m.schemaVersion) && isString(m.timestamp)
    && (m.idempotencyKey === undefined || isString(m.idempotencyKey))
    && (m.requestFingerprint === undefined || isString(m.requestFingerprint));
}

const isEntryKey = (d: unknown): d is Json & { namespace: string; key: string; version: number } =>
  isObject(d) && isString(d.namespace) && isString(d.key) && isNumber(d.version);

export const isEntryWrittenData = (d: unknown): d is EntryWrittenData =>
  isEntryKey(d) && isNullableNumber(d.expiresAt) && isStringRecord(d.metadata) && (d.redacted === undefined || d.redacted === 'purged')
  && (isString(d.value) ? d.valueBase64 === undefined : isString(d.valueBase64) && d.value === undefined);

export const isEntryVersionData = (d: unknown): d is EntryVersionData => isEntryKey(d);

export const isEntryTtlSetData = (d: unknown): d is EntryTtlSetData => isEntryKey(d) && isNullableNumber(d.expiresAt);

export const isNamespaceCreatedData = (d: unknown): d is NamespaceCreated['data'] =>
  isObject(d) && isString(d.namespace) && (d.encrypted === undefined || d.encrypted === true);

export const isKeyRotatedData = (d: unknown): d is KeyRotated['data'] =>
  isObject(d) && isString(d.namespace) && isString(d.keyId) && isNullableString(d.previousKeyId);

export const isKeysShreddedData = (d: unknown): d is KeysShredded['data'] => isObject(d) && isString(d.namespace) && isStringList(d.keyIds);

export const isNamespaceConfiguredData = (d: unknown): d is NamespaceConfigured['data'] =>
  isObject(d) && isString(d.namespace) && isNullableNumber(d.defaultTtlSeconds);

export const isNamespaceDeletedData = (d: unknown): d is NamespaceDeleted['data'] => isObject(d) && isString(d.namespace);

const isLimit = (v: unknown): v is number | null => v === null || (isNumber(v) && Number.isSafeInteger(v) && v >= 0);

export const isQuotaSetData = (d: unknown): d is QuotaSet['data'] =>
  isObject(d) && isString(d.namespace) && isLimit(d.maxEntries) && isLimit(d.maxBytes);

export const isTagSetData = (d: unknown): d is TagSet['data'] =>
  isObject(d) && isString(d.namespace) && isString(d.tag) && isString(d.color);

export const isTagRemovedData = (d: unknown): d is TagRemoved['data'] => isObject(d) && isString(d.namespace) && isString(d.tag);

export const isDependencyData = (d: unknown): d is DependencyAdded['data'] =>
  isObject(d) && isString(d.namespace) && isString(d.dependsOn);

export const isRollbackPointData = (d: unknown): d is RollbackPointData =>
  isObject(d) && isString(d.namespace) && isString(d.id) && isNullableString(d.stage) && isNullableString(d.label) && isNumber(d.revision);

export const isRolledBackData = (d: unknown): d is RolledBackData =>
  isObject(d) && isString(d.namespace) && isString(d.pointId) && isNumber(d.toRevision) && isString(d.undoPointId)
  && isObject(d.diff) && isStringList(d.diff.restored) && isStringList(d.diff.changed) && isStringList(d.diff.removed);

export const isSnapshotData = (d: unknown): d is SnapshotData =>
  isObject(d) && isString(d.namespace) && isString(d.id) && isNumber(d.revision) && isNumber(d.entryCount) && isNullableNumber(d.bytes);

const isConfigChange = (c: unknown): c is ConfigChange =>
  isObject(c) && isString(c.namespace) && isString(c.change) && CONFIG_CHANGES.has(c.change)
  && (c.defaultTtlSeconds === undefined || isNullableNumber(c.defaultTtlSeconds))
  && (c.maxEntries === undefined || isNullableNumber(c.maxEntries)) && (c.maxBytes === undefined || isNullableNumber(c.maxBytes))
  && (c.tags === undefined || isStringRecord(c.tags)) && (c.dependsOn === undefined || isStringList(c.dependsOn))
  && (c.sha256 === undefined || isNullableString(c.sha256))
  && (c.grants === undefined || (isStringRecord(c.grants) && Object.values(c.grants).every(isAccess)));

const CONFIG_CHANGES: ReadonlySet<string> = new Set<ConfigChange['change']>(['created', 'configured', 'quota', 'tags', 'dependencies', 'schema', 'grants']);

export const isConfigReloadedData = (d: unknown): d is ConfigReloaded['data'] =>
  isObject(d) && isString(d.sha256) && typeof d.unchanged === 'boolean' && isString(d.trigger) && RELOAD_TRIGGERS.has(d.trigger)
  && Array.isArray(d.changes) && d.changes.every(isConfigChange);

export const isBackupCreatedData = (d: unknown): d is BackupCreatedData =>
  isObject(d) && isStringList(d.namespaces) && isNumber(d.eventCount) && isNullableString(d.headPosition) && isString(d.sha256);

export const isRestoredData = (d: unknown): d is RestoredData =>
  isObject(d) && isStringList(d.namespaces) && isNumber(d.eventCount) && isNullableString(d.sourceHeadPosition)
  && [d.sha256, d.archiveCreatedAt, d.sourceBackend, d.sourceIncarnation, d.previousIncarnation, d.incarnation].every(isString);

export const isConsumerCheckpointedData = (d: unknown): d is ConsumerCheckpointed['data'] =>
  isObject(d) && isString(d.consumer) && isString(d.position);

export const isRequestAnsweredData = (d: unknown): d is RequestAnsweredData =>
  isObject(d) && isString(d.key) && isString(d.fingerprint) && 'response' in d;

const isLockToken = (d: Json): boolean => isString(d.lock) && isNumber(d.token) && Number.isSafeInteger(d.token);

export const isLockAcquiredData = (d: unknown): d is LockAcquired['data'] =>
  isObject(d) && isLockToken(d) && isString(d.owner) && isNumber(d.expiresAt);
export const isLockRenewedData = (d: unknown): d is LockRenewed['data'] => isObject(d) && isLockToken(d) && isNumber(d.expiresAt);
export const isLockReleasedData = (d: unknown): d is LockReleased['data'] => isObject(d) && isLockToken(d);
export const isLockExpiredData = (d: unknown): d is LockExpired['data'] => isObject(d) && isLockToken(d) && isNumber(d.expiresAt);
export const isSchemaSetData = (d: unknown): d is SchemaSet['data'] =>
  isObject(d) && isString(d.namespace) && isString(d.sha256) && (isObject(d.schema) || typeof d.schema === 'boolean');

export const isSchemaRemovedData = (d: unknown): d is SchemaRemoved['data'] => isObject(d) && isString(d.namespace);

export const isSchemaMigratedData = (d: unknown): d is SchemaMigratedData =>
  isObject(d) && isString(d.migrationId) && isString(d.description) && isString(d.appliedAt) && isNumber(d.fromVersion) && isNumber(d.toVersion);
export const isAccessGrantedData = (d: unknown): d is AccessGranted['data'] =>
  isObject(d) && isString(d.namespace) && isString(d.subject) && isAccess(d.access);

export const isAccessRevokedData = (d: unknown): d is AccessRevoked['data'] => isObject(d) && isString(d.namespace) && isString(d.subject);
