import { EntryState } from '../entries/entry';
import { EntriesReadModel } from '../entries/entries.read-model';
import { NamespaceState } from '../namespaces/namespace';
import { NamespacesReadModel } from '../namespaces/namespaces.read-model';

/** The decision state of a namespace from the read models: its revision and the keys a command touches. */
export function loadNamespaceState(
  namespaces: NamespacesReadModel, entries: EntriesReadModel, namespace: string, keys: readonly string[],
): NamespaceState {
  const ns = namespaces.get(namespace);
  const touched = new Map<string, EntryState>();
  for (const key of keys) {
    const entry = entries.entryState(namespace, key);
    if (entry) touched.set(key, entry);
  }
  return { name: namespace, exists: ns !== undefined, revision: ns?.revision, entries: touched };
}
