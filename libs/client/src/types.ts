/**
 * The store's v1 wire format, as JSON documents on the wire. The client depends on nothing of the
 * service: these are declared here and kept in step with the service by a type check in its tests.
 */

/** A log position, `<incarnation>:<n>`: opaque, ordered, the change-feed cursor. */
export type Position = string;

/** A value as the store answers it: text when its bytes are valid UTF-8, else base64. */
export type EncodedValue = { value: string; valueBase64?: never } | { valueBase64: string; value?: never };

export type Entry = EncodedValue & {
  namespace: string;
  key: string;
  metadata: Record<string, string>;
  /** 1 at creation, +1 per change, back to 1 when a deleted key is created again. */
  version: number;
  /** The namespace revision of the entry's last change. */
  modRevision: number;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
};

/** An entry in a listing; with `includeDeleted` also deleted ones, and whether they can be restored. */
export type ListedEntry = Entry & { deletedAt?: string | null; restorable?: boolean };

/** Where a write landed: its namespace revision and the log position of its last event. */
export interface WrittenAt {
  revision: number;
  position: Position;
}

export type EntryWriteResult = Entry & WrittenAt & { created: boolean };
/** SetTTL and restore answer the entry as reads now see it. */
export type KeyWriteResult = Entry & WrittenAt;
export type PurgeResult = WrittenAt & { version: number };
export type EntryAsOf = Entry & { asOf: number };

export interface Page<T> {
  items: T[];
  /** Give it back as `cursor` for the next page; null on the last one. */
  nextCursor: string | null;
}

export type EntryPage = Page<ListedEntry>;

/**
 * One result per op. A delete of a key that is absent (never written, deleted or expired) is a
 * no-op inside a transaction: `deleted: false`, version 0. A transaction that wrote nothing answers
 * the namespace's revision and the service's read position.
 */
export interface TransactionResult extends WrittenAt {
  results: TransactionOpResult[];
}

export type TransactionOpResult =
  | { op: 'put'; key: string; version: number }
  | { op: 'delete'; key: string; version: number; deleted: boolean };

export interface Quota {
  maxEntries: number | null;
  maxBytes: number | null;
  usedEntries: number;
  usedBytes: number;
}

export interface Namespace {
  name: string;
  entryCount: number;
  bytes: number;
  revision: number;
  defaultTtlSeconds: number | null;
  quota: Quota;
  /** Tag name -> colour (`#rrggbb`). */
  tags: Record<string, string>;
  /** The namespaces this one depends on. */
  dependsOn: string[];
  /** Its values are sealed under its own data keys (chosen at creation). */
  encrypted: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Dependencies {
  /** The namespaces it depends on itself. */
  direct: string[];
  /** Everything it depends on, transitively, dependencies first. */
  resolved: string[];
}

export type CreateNamespaceResult = Namespace & { created: boolean };

/** A lease as acquire and renew answer it. */
export interface LockGrant {
  /** The lock (a namespace's freeze: `namespace/<ns>`). */
  name: string;
  owner: string;
  /** The fencing token: grows with every acquisition of the lock, never given twice. */
  token: number;
  expiresAt: string;
}

/** A lock, held or not. */
export interface Lock {
  name: string;
  held: boolean;
  owner: string | null;
  token: number | null;
  expiresAt: string | null;
  /** The highest token ever granted; 0 when never acquired. */
  lastToken: number;
}

/** A data key of an encrypted namespace: its id and date, never its material. */
export interface DataKey {
  keyId: string;
  createdAt: string;
}

export interface KeyRotation {
  keyId: string;
  /** The key it replaces (null when the namespace had none left, after a shred). */
  previousKeyId: string | null;
  rotatedAt: string;
}

export interface KeysShredded {
  namespace: string;
  /** The ids of the keys destroyed. */
  keyIds: string[];
  shreddedAt: string;
}

/** Where a value fails its namespace's schema: `path` is a JSON Pointer into the value ('' is the value itself). */
export interface SchemaProblem {
  path: string;
  message: string;
}

/** A namespace's value schema (JSON Schema 2020-12). */
export interface ValueSchemaInfo {
  namespace: string;
  /** SHA-256 of the schema's canonical JSON. */
  sha256: string;
  schema: unknown;
  setAt: string;
  setBy: string;
  revision: number;
}

/** The schema as set, and the first live entries (key order) that violate it. */
export type SetSchemaResult = ValueSchemaInfo & {
  violations: { items: { key: string; errors: SchemaProblem[] }[]; checked: number; violating: number; complete: boolean };
};

/** A change of the store's event shapes, recorded once per store when a release that reads it first started. */
export interface Migration {
  migrationId: string;
  description: string;
  appliedAt: string;
  /** The event schemaVersion it reads from, and the one it reads into. */
  fromVersion: number;
  toVersion: number;
}

export type EntryEventType =
  | 'StoreEntryCreated' | 'StoreEntryUpdated' | 'StoreEntryDeleted' | 'StoreEntryRestored'
  | 'StoreEntryPurged' | 'StoreEntryTtlSet' | 'StoreEntryExpired';

export type StoreEventType =
  | EntryEventType | 'StoreNamespaceCreated' | 'StoreNamespaceConfigured' | 'StoreRollbackPointCreated'
  | 'StoreRolledBack' | 'StoreSnapshotCreated' | 'StoreConfigReloaded' | 'StoreConsumerCheckpointed'
  | 'StoreBackupCreated' | 'StoreRestored' | 'StoreNamespaceDeleted' | 'StoreQuotaSet' | 'StoreTagSet' | 'StoreTagRemoved'
  | 'StoreDependencyAdded' | 'StoreDependencyRemoved' | 'StoreKeyRotated' | 'StoreKeysShredded';

/** One change of a key, as the log recorded it. */
export interface HistoryItem {
  revision: number;
  position: Position;
  type: EntryEventType;
  /** The version the event made (or ended, for deletes, expiries and purges). */
  version: number;
  actor: string;
  timestamp: string;
  correlationId: string;
  value?: string;
  valueBase64?: string;
  metadata?: Record<string, string>;
  expiresAt?: string | null;
  /** Set on writes of a key purged since: their value and metadata are forgotten (left out). */
  redacted?: 'purged';
}

/** One event of a namespace's stream in the audit trail: who did what and when (never a value). */
export interface AuditTrailItem {
  position: Position;
  revision: number;
  type: string;
  /** The key the event is about; null for namespace events. */
  key: string | null;
  actor: string;
  correlationId: string;
  causationId: string;
  timestamp: string;
}

export interface AuditTrailFilter {
  actor?: string;
  /** An event type, e.g. StoreEntryDeleted. */
  type?: string;
  /** Events at or after this time (ISO 8601, or a Date). */
  from?: string | Date;
  /** Events before this time. */
  to?: string | Date;
}

/** allowed (2xx), denied (401/403), rejected (other 4xx), limited (429), failed (5xx or cut). */
export type AccessOutcome = 'allowed' | 'denied' | 'rejected' | 'limited' | 'failed';

/** One call on a namespace as the access audit recorded it. */
export interface AccessAuditItem {
  id: number;
  /** null: the call proved no identity (401). */
  actor: string | null;
  operation: string;
  namespace: string | null;
  key: string | null;
  outcome: AccessOutcome;
  status: number;
  requestId: string;
  time: string;
}

export interface AccessAuditFilter {
  actor?: string;
  outcome?: AccessOutcome;
}

/** One event of the change feed: the event's data, then where and by whom it was recorded. */
export interface FeedEvent {
  type: StoreEventType | (string & {});
  stream: string;
  namespace?: string;
  key?: string;
  version?: number;
  /** Entry writes and TTL changes: epoch milliseconds, or null. */
  expiresAt?: number | null;
  value?: string;
  valueBase64?: string;
  metadata?: Record<string, string>;
  /** A write of an encrypted namespace whose value cannot be opened (shredded, or no master key): it comes without value and metadata. */
  unreadable?: 'VALUE_SHREDDED' | 'KEY_UNAVAILABLE';
  revision: number;
  position: Position;
  timestamp: string;
  actor: string;
  correlationId: string;
  causationId: string;
  [field: string]: unknown;
}

export interface RollbackPoint {
  namespace: string;
  id: string;
  stage: string | null;
  label: string | null;
  /** The namespace revision whose state the point names. */
  revision: number;
  createdAt: string;
  actor: string;
}

/** The entries visible at a revision: one page in key order, and how many there are. */
export interface StatePage extends Page<Entry> {
  revision: number;
  count: number;
}

export interface RollbackResult extends WrittenAt {
  pointId: string;
  toRevision: number;
  /** Roll back to this point to undo the rollback. */
  undoPointId: string;
  diff: { restored: string[]; changed: string[]; removed: string[] };
}

export interface Snapshot {
  namespace: string;
  id: string;
  /** The namespace revision captured. */
  revision: number;
  entryCount: number;
  /** Key and value bytes of the live entries captured; null for snapshots taken before sizes were recorded. */
  bytes: number | null;
  createdAt: string;
  actor: string;
}

export interface ReloadResult {
  sha256: string;
  changes: {
    namespace: string;
    change: 'created' | 'configured' | 'quota' | 'tags' | 'dependencies' | 'schema' | 'grants';
    defaultTtlSeconds?: number | null;
    maxEntries?: number | null;
    maxBytes?: number | null;
    tags?: Record<string, string>;
    dependsOn?: string[];
    /** The SHA-256 of the value schema after the change; null: none. */
    sha256?: string | null;
    grants?: Record<string, 'read' | 'write' | 'admin'>;
  }[];
  unchanged: boolean;
}

export interface Consumer {
  name: string;
  position: Position;
  checkpointedAt: string;
  checkpoints: number;
}

export interface Replica {
  id: string;
  kind: 'projector' | 'consumer';
  position: Position | null;
  lagEvents: number;
  /** True when lagEvents stopped counting at its cap. */
  lagCapped: boolean;
  lagSeconds: number;
  status: 'live' | 'catching-up' | 'stalled';
  lastSyncedAt: string | null;
}

export interface RestoreResult {
  /** False when the store already held this archive (a repeat): nothing was written. */
  restored: boolean;
  namespaces: string[];
  events: number;
  incarnation: string;
  position: Position | null;
}

export interface RebuildResult {
  events: number;
  millis: number;
}

export interface ReadinessReport {
  status: string;
  info?: { store?: Record<string, unknown> };
  error?: { store?: Record<string, unknown> };
}

/** What a grant allows on a namespace: write implies read, admin implies write and managing the namespace. */
export type Access = 'read' | 'write' | 'admin';

/** One grant as PUT …/grants/{subject} answers it. */
export interface SubjectGrant {
  namespace: string;
  /** `user:<name>` or `role:<name>`. */
  subject: string;
  access: Access;
}

/** Who the store says the caller is (GET /v1/whoami). */
export interface WhoAmI {
  user: string;
  roles: string[];
  /** The namespaces the caller's grants reach, each with the highest access they give. */
  grants: { namespace: string; access: Access }[];
}

export type ProblemCode =
  | 'NAMESPACE_INVALID' | 'KEY_INVALID' | 'VALIDATION_FAILED' | 'CURSOR_INVALID' | 'CONFIG_INVALID' | 'ARCHIVE_INVALID' | 'UNAUTHORIZED'
  | 'ENTRY_NOT_FOUND' | 'NAMESPACE_NOT_FOUND' | 'CONSUMER_NOT_FOUND' | 'ROLLBACK_POINT_NOT_FOUND' | 'SNAPSHOT_NOT_FOUND'
  | 'ROUTE_NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'VERSION_CONFLICT' | 'ENTRY_NOT_DELETED' | 'RESTORE_CONFLICT' | 'CURSOR_STALE'
  | 'PAYLOAD_TOO_LARGE' | 'TRANSACTION_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE' | 'HOST_NOT_ALLOWED' | 'IDEMPOTENCY_KEY_REUSED' | 'TOO_MANY_STREAMS' | 'FEED_FULL'
  | 'MALFORMED_REQUEST' | 'REQUEST_TIMEOUT' | 'HEADERS_TOO_LARGE'
  | 'INTERNAL' | 'LOG_CORRUPTED' | 'NOT_SUPPORTED' | 'BACKEND_UNAVAILABLE' | 'READ_TIMEOUT' | 'STORAGE_FULL'
  | 'QUOTA_EXCEEDED' | 'DEPENDENCY_CYCLE' | 'NAMESPACE_IN_USE' | 'TAG_NOT_FOUND' | 'DEPENDENCY_NOT_FOUND'
  | 'LOCK_HELD' | 'LOCK_TOKEN_INVALID' | 'LOCKED' | 'FENCED'
  | 'SCHEMA_VIOLATION' | 'SCHEMA_INVALID' | 'SCHEMA_TOO_COMPLEX' | 'SCHEMA_NOT_FOUND'
  | 'FORBIDDEN' | 'RATE_LIMITED' | 'GRANT_NOT_FOUND'
  | 'KEY_UNAVAILABLE' | 'VALUE_SHREDDED' | 'NAMESPACE_NOT_ENCRYPTED';

/** An RFC 9457 problem document as the store answers it: `code` is the stable part. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  /** One of ProblemCode; typed as a string too, so a newer service's codes come through. */
  code: ProblemCode | (string & {});
  detail: string;
  [extension: string]: unknown;
}
