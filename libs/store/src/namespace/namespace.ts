import { contentOf, EntryEvent, EntryState } from './entry';
import { RollbackEvent } from './rollback';
import { SnapshotCreated } from './snapshot';
import { StoreError } from '../shared/errors';
import { DomainEvent } from '../shared/store-events';

export type NamespaceCreated = DomainEvent<'StoreNamespaceCreated', { readonly namespace: string }>;

/** Settings declared by the config file (HotReload); null clears a setting. */
export type NamespaceConfigured = DomainEvent<'StoreNamespaceConfigured', {
  readonly namespace: string;
  readonly defaultTtlSeconds: number | null;
}>;

export type NamespaceEvent = NamespaceCreated | NamespaceConfigured | EntryEvent | RollbackEvent | SnapshotCreated;

/**
 * The decision state of one namespace stream. `entries` holds only the keys a command touches:
 * loaders fill it from the read model or by replaying the stream, so a decision never needs
 * the whole namespace in memory (a rollback asks for all of them).
 */
export interface NamespaceState {
  readonly name: string;
  /** Revision of the stream's last event; undefined while the stream does not exist. */
  readonly revision: number | undefined;
  readonly exists: boolean;
  /** Applied to puts that give no ttlSeconds. */
  readonly defaultTtlSeconds: number | null;
  /** Entries that are not deleted (expired ones count until their expiry is recorded). */
  readonly entryCount: number;
  readonly entries: ReadonlyMap<string, EntryState>;
}

export const initialNamespaceState = (name: string): NamespaceState => ({
  name,
  revision: undefined,
  exists: false,
  defaultTtlSeconds: null,
  entryCount: 0,
  entries: new Map(),
});

export function evolve(state: NamespaceState, event: NamespaceEvent): NamespaceState {
  switch (event.type) {
    case 'StoreNamespaceCreated':
      return { ...state, exists: true };
    case 'StoreNamespaceConfigured':
      return { ...state, defaultTtlSeconds: event.data.defaultTtlSeconds };
    case 'StoreEntryCreated':
    case 'StoreEntryUpdated':
    case 'StoreEntryRestored': {
      const { key, version, expiresAt } = event.data;
      const counted = event.type === 'StoreEntryUpdated' ? 0 : 1;
      return withEntry(state, key, { version, expiresAt, deleted: false, content: contentOf(event.data) }, counted);
    }
    case 'StoreEntryTtlSet': {
      const current = state.entries.get(event.data.key);
      return current ? withEntry(state, event.data.key, { ...current, version: event.data.version, expiresAt: event.data.expiresAt }, 0) : state;
    }
    case 'StoreEntryDeleted': {
      const current = state.entries.get(event.data.key);
      return current ? withEntry(state, event.data.key, { ...current, deleted: true }, -1) : state;
    }
    case 'StoreEntryExpired':
    case 'StoreEntryPurged': {
      const current = state.entries.get(event.data.key);
      return current ? withEntry(state, event.data.key, undefined, current.deleted ? 0 : -1) : state;
    }
    case 'StoreRollbackPointCreated':
    case 'StoreRolledBack':
    case 'StoreSnapshotCreated':
      return state;
  }
}

function withEntry(state: NamespaceState, key: string, entry: EntryState | undefined, counted: number): NamespaceState {
  const entries = new Map(state.entries);
  if (entry) entries.set(key, entry);
  else entries.delete(key);
  return { ...state, entries, entryCount: state.entryCount + counted };
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
