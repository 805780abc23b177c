import { EntryEvent, EntryState } from '../entries/entry';
import { DomainEvent } from '../shared/store-events';

export type NamespaceCreated = DomainEvent<'StoreNamespaceCreated', { readonly namespace: string }>;

/** Settings declared by the config file (HotReload); null clears a setting. */
export type NamespaceConfigured = DomainEvent<'StoreNamespaceConfigured', {
  readonly namespace: string;
  readonly defaultTtlSeconds: number | null;
}>;

export type NamespaceEvent = NamespaceCreated | NamespaceConfigured | EntryEvent;

/**
 * The decision state of one namespace stream. `entries` holds only the keys a command touches:
 * loaders fill it from the read model or by replaying the stream, so a decision never needs
 * the whole namespace in memory.
 */
export interface NamespaceState {
  readonly name: string;
  /** Revision of the stream's last event; undefined while the stream does not exist. */
  readonly revision: number | undefined;
  readonly exists: boolean;
  /** Applied to puts that give no ttlSeconds. */
  readonly defaultTtlSeconds: number | null;
  readonly entries: ReadonlyMap<string, EntryState>;
}

export const initialNamespaceState = (name: string): NamespaceState => ({
  name,
  revision: undefined,
  exists: false,
  defaultTtlSeconds: null,
  entries: new Map(),
});

export function evolve(state: NamespaceState, event: NamespaceEvent): NamespaceState {
  switch (event.type) {
    case 'StoreNamespaceCreated':
      return { ...state, exists: true };
    case 'StoreNamespaceConfigured':
      return { ...state, defaultTtlSeconds: event.data.defaultTtlSeconds };
    case 'StoreEntryCreated':
    case 'StoreEntryUpdated': {
      const entries = new Map(state.entries);
      entries.set(event.data.key, { version: event.data.version, expiresAt: event.data.expiresAt });
      return { ...state, entries };
    }
    case 'StoreEntryDeleted': {
      const entries = new Map(state.entries);
      entries.delete(event.data.key);
      return { ...state, entries };
    }
  }
}
