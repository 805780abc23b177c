import { HistoryItem, NotFoundError, StoreClient } from '@app/client';

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
