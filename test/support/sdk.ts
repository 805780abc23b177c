// Helpers for suites that talk to the service through the SDK: reading everything back, and the
// small values (names, sizes, times) the suites share.
import { HistoryItem, ListedEntry, Namespace, NotFoundError, StoreClient } from '@app/client';

/** Every item of an async iteration (a listing, a history), in order. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** The namespace's revision, or undefined while it does not exist. */
export async function revisionOf(store: StoreClient, namespace: string): Promise<number | undefined> {
  try {
    return (await store.getNamespace(namespace)).revision;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/** A key's whole history, fetched three items a page so that the paging is part of every read. */
export const historyOf = (store: StoreClient, namespace: string, key: string): Promise<HistoryItem[]> =>
  collect(store.history(namespace, key, { limit: 3 }));

/** Everything a client can read: the namespace list and every namespace's full listing. */
export async function readableState(store: StoreClient): Promise<{ namespaces: Namespace[]; entries: Record<string, ListedEntry[]> }> {
  const namespaces = await store.listNamespaces();
  const entries: Record<string, ListedEntry[]> = {};
  for (const { name } of namespaces) entries[name] = await collect(store.list(name, { limit: 1000 }));
  return { namespaces, entries };
}

/** Runs a refused request and proves that it wrote nothing: all a client can read is unchanged. */
export async function expectNothingWritten<T>(store: StoreClient, action: () => Promise<T>): Promise<T> {
  const before = await readableState(store);
  const result = await action();
  expect(await readableState(store)).toEqual(before);
  return result;
}

/** A timestamp as the API writes them. */
export const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Waits until just after an entry's expiresAt. */
export const untilExpired = (entry: { expiresAt: string | null }) =>
  new Promise((resolve) => setTimeout(resolve, Date.parse(entry.expiresAt!) - Date.now() + 50));

export const MiB = 1024 * 1024;

/** `count` metadata pairs m0=v0, m1=v1, … */
export const metadataPairs = (count: number): Record<string, string> =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`m${i}`, `v${i}`]));

let namespaces = 0;
/** A namespace name no other test of the file uses. */
export const freshNs = (label = 'ns') => `${label}-${++namespaces}`;
