import { EntryCreated, EntryDeleted, EntryEvent, EntryUpdated } from './entry';
import { NamespaceCreated } from './namespace';

/** Event builders for decider tests of one namespace. */
export function testEvents(namespace: string) {
  const entry = (key: string, version: number, value: string, expiresAt: number | null, metadata: Record<string, string> = {}) =>
    ({ namespace, key, value, metadata, version, expiresAt });
  const ended = <T extends 'StoreEntryDeleted' | 'StoreEntryExpired' | 'StoreEntryPurged'>(type: T) =>
    (key: string, version: number) => ({ type, data: { namespace, key, version } }) as Extract<EntryEvent, { type: T }>;
  return {
    nsCreated: { type: 'StoreNamespaceCreated', data: { namespace } } as NamespaceCreated,
    created: (key: string, value = 'v', expiresAt: number | null = null, metadata?: Record<string, string>): EntryCreated =>
      ({ type: 'StoreEntryCreated', data: entry(key, 1, value, expiresAt, metadata) }),
    updated: (key: string, version: number, value = 'v', expiresAt: number | null = null, metadata?: Record<string, string>): EntryUpdated =>
      ({ type: 'StoreEntryUpdated', data: entry(key, version, value, expiresAt, metadata) }),
    restored: (key: string, version: number, value = 'v', expiresAt: number | null = null): EntryEvent =>
      ({ type: 'StoreEntryRestored', data: entry(key, version, value, expiresAt) }),
    deleted: ended('StoreEntryDeleted') as (key: string, version: number) => EntryDeleted,
    expired: ended('StoreEntryExpired'),
    purged: ended('StoreEntryPurged'),
  };
}
