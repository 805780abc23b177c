import { EntryState } from '../entries/entry';
import { EntriesReadModel } from '../entries/entries.read-model';
import { NamespaceState } from '../namespaces/namespace';
import { NamespacesReadModel } from '../namespaces/namespaces.read-model';
import { WriteRequest } from './namespace-writer';

/** The decision state of a namespace from the read models: its settings, counts and the keys a command touches. */
export function loadNamespaceState(
  namespaces: NamespacesReadModel,
  entries: EntriesReadModel,
  { namespace, keys, withContent }: Pick<WriteRequest<unknown>, 'namespace' | 'keys' | 'withContent'>,
): NamespaceState {
  const ns = namespaces.get(namespace);
  const touched = keys === 'all' ? entries.allEntryStates(namespace) : new Map<string, EntryState>();
  if (keys !== 'all') {
    for (const key of keys) {
      const entry = entries.entryState(namespace, key, withContent);
      if (entry) touched.set(key, entry);
    }
  }
  return {
    name: namespace,
    exists: ns !== undefined,
    revision: ns?.revision,
    defaultTtlSeconds: ns?.defaultTtlSeconds ?? null,
    entryCount: ns?.entryCount ?? 0,
    entries: touched,
  };
}
