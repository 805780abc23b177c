import { AccessEvent, Grants } from './access';
import { contentOf, EntryEvent, EntryState, entryBytes } from './entry';
import { GovernanceEvent, NO_QUOTA, Quota } from './governance';
import { RollbackEvent } from './rollback';
import { SnapshotCreated } from './snapshot';
import { SchemaEvent, ValueSchema } from './value-schema';
import { StoreError } from '../shared/errors';
import { DomainEvent } from '../shared/store-events';

/** `encrypted`: its values are sealed under its data keys (chosen at creation, for the namespace's life). */
export type NamespaceCreated = DomainEvent<'StoreNamespaceCreated', { readonly namespace: string; readonly encrypted?: true }>;

/** A new data key seals the namespace's values from now on; older values keep opening with theirs. Ids only, never material. */
export type KeyRotated = DomainEvent<'StoreKeyRotated', { readonly namespace: string; readonly keyId: string; readonly previousKeyId: string | null }>;

/** The namespace's data keys were destroyed: its values never open again; events and metadata names stay. */
export type KeysShredded = DomainEvent<'StoreKeysShredded', { readonly namespace: string; readonly keyIds: readonly string[] }>;

/** Settings declared by the config file (HotReload); null clears a setting. */
export type NamespaceConfigured = DomainEvent<'StoreNamespaceConfigured', {
  readonly namespace: string;
  readonly defaultTtlSeconds: number | null;
}>;

/** The namespace ends: its entries, settings, tags and dependencies go; its history stays. A later put or PUT starts it again. */
export type NamespaceDeleted = DomainEvent<'StoreNamespaceDeleted', { readonly namespace: string }>;

export type NamespaceEvent =
  | NamespaceCreated | NamespaceConfigured | NamespaceDeleted | EntryEvent | RollbackEvent | SnapshotCreated | GovernanceEvent | SchemaEvent | AccessEvent
  | KeyRotated | KeysShredded;

/** What a namespace is besides its entries: the fields a decision state keeps per namespace. */
export interface NamespaceHead {
  readonly exists: boolean;
  /** Applied to puts that give no ttlSeconds. */
  readonly defaultTtlSeconds: number | null;
  /** Entries that are not deleted (expired ones count until their expiry is recorded). */
  readonly entryCount: number;
  /** Key and value bytes of the entries `entryCount` counts. */
  readonly bytes: number;
  readonly quota: Quota;
  /** Tag name -> colour. */
  readonly tags: Readonly<Record<string, string>>;
  /** Namespaces this one depends on, sorted. */
  readonly dependsOn: readonly string[];
  /** What new values must satisfy; null: anything. */
  readonly valueSchema: ValueSchema | null;
  /** Subject (`user:<name>`, `role:<name>`) -> access; they go with the namespace when it is deleted. */
  readonly grants: Grants;
  /** Values are sealed under the namespace's data keys. */
  readonly encrypted: boolean;
}

export const EMPTY_HEAD: NamespaceHead = {
  exists: false, defaultTtlSeconds: null, entryCount: 0, bytes: 0, quota: NO_QUOTA, tags: {}, dependsOn: [], valueSchema: null, grants: {}, encrypted: false,
};

/**
 * The decision state of one namespace stream. `entries` holds only the keys a command touches:
 * loaders fill it from the read model or by replaying the stream, so a decision never needs
 * the whole namespace in memory (a rollback asks for all of them).
 */
export interface NamespaceState extends NamespaceHead {
  readonly name: string;
  /** Revision of the stream's last event; undefined while the stream does not exist. */
  readonly revision: number | undefined;
  readonly entries: ReadonlyMap<string, EntryState>;
}

export const initialNamespaceState = (name: string): NamespaceState => ({
  name,
  revision: undefined,
  ...EMPTY_HEAD,
  entries: new Map(),
});

/** The namespace-level fields of a state. */
export const headOf = (
  { exists, defaultTtlSeconds, entryCount, bytes, quota, tags, dependsOn, valueSchema, grants, encrypted }: NamespaceHead,
): NamespaceHead => ({ exists, defaultTtlSeconds, entryCount, bytes, quota, tags, dependsOn, valueSchema, grants, encrypted });

export function evolve(state: NamespaceState, event: NamespaceEvent): NamespaceState {
  switch (event.type) {
    case 'StoreNamespaceCreated':
      return { ...state, exists: true, encrypted: event.data.encrypted === true };
    case 'StoreNamespaceConfigured':
      return { ...state, defaultTtlSeconds: event.data.defaultTtlSeconds };
    case 'StoreNamespaceDeleted':
      return { ...initialNamespaceState(state.name), revision: state.revision };
    case 'StoreQuotaSet':
      return { ...state, quota: { maxEntries: event.data.maxEntries, maxBytes: event.data.maxBytes } };
    case 'StoreTagSet':
      return { ...state, tags: { ...state.tags, [event.data.tag]: event.data.color } };
    case 'StoreTagRemoved': {
      const { [event.data.tag]: _removed, ...tags } = state.tags;
      return { ...state, tags };
    }
    case 'StoreDependencyAdded':
      return { ...state, dependsOn: [...new Set([...state.dependsOn, event.data.dependsOn])].sort() };
    case 'StoreDependencyRemoved':
      return { ...state, dependsOn: state.dependsOn.filter((d) => d !== event.data.dependsOn) };
    case 'StoreSchemaSet':
      return { ...state, valueSchema: { sha256: event.data.sha256, schema: event.data.schema } };
    case 'StoreSchemaRemoved':
      return { ...state, valueSchema: null };
    case 'StoreAccessGranted':
      return { ...state, grants: { ...state.grants, [event.data.subject]: event.data.access } };
    case 'StoreAccessRevoked': {
      const { [event.data.subject]: _revoked, ...grants } = state.grants;
      return { ...state, grants };
    }
    case 'StoreEntryCreated':
    case 'StoreEntryUpdated':
    case 'StoreEntryRestored': {
      const { key, version, expiresAt } = event.data;
      const content = contentOf(event.data);
      const bytes = entryBytes(key, content);
      const current = state.entries.get(key);
      const counted = event.type === 'StoreEntryUpdated' ? 0 : 1;
      const freed = event.type === 'StoreEntryUpdated' && current ? current.bytes : 0;
      return withEntry(state, key, { version, expiresAt, deleted: false, bytes, content }, counted, bytes - freed);
    }
    case 'StoreEntryTtlSet': {
      const current = state.entries.get(event.data.key);
      return current ? withEntry(state, event.data.key, { ...current, version: event.data.version, expiresAt: event.data.expiresAt }, 0, 0) : state;
    }
    case 'StoreEntryDeleted': {
      const current = state.entries.get(event.data.key);
      return current ? withEntry(state, event.data.key, { ...current, deleted: true }, -1, -current.bytes) : state;
    }
    case 'StoreEntryExpired':
    case 'StoreEntryPurged': {
      const current = state.entries.get(event.data.key);
      return current ? withEntry(state, event.data.key, undefined, current.deleted ? 0 : -1, current.deleted ? 0 : -current.bytes) : state;
    }
    case 'StoreRollbackPointCreated':
    case 'StoreRolledBack':
    case 'StoreSnapshotCreated':
    case 'StoreKeyRotated':
    case 'StoreKeysShredded':
      return state;
  }
}

function withEntry(state: NamespaceState, key: string, entry: EntryState | undefined, counted: number, bytes: number): NamespaceState {
  const entries = new Map(state.entries);
  if (entry) entries.set(key, entry);
  else entries.delete(key);
  return { ...state, entries, entryCount: state.entryCount + counted, bytes: state.bytes + bytes };
}

export const namespaceNotFound = (namespace: string) =>
  new StoreError('NAMESPACE_NOT_FOUND', `no namespace ${namespace}`, { namespace });

/** The revision of a namespace that must exist. */
export function requireNamespace(state: NamespaceState): number {
  if (!state.exists || state.revision === undefined) {
    throw namespaceNotFound(state.name);
  }
  return state.revision;
}

/** A namespace that must exist now (the decision's state, whatever its revision). */
export function requireExists(state: NamespaceState): void {
  if (!state.exists) throw namespaceNotFound(state.name);
}
