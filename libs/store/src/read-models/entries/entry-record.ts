import type { StoreEvent } from '../../events/store-event';
import { StoreEventMetadata } from '../../shared/store-events';
import { contentOf, EntryContent, EntryCreated, EntryEvent, EntryRestored, EntryUpdated, isEntryEvent } from '../../namespace/entry';

/** An entry as reads see it, deleted ones included: the view the entries read model, snapshots and time travel share. */
export type EntryRecord = EntryContent & {
  readonly key: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Epoch milliseconds, or null. */
  readonly expiresAt: number | null;
  /** Namespace revision of the entry's last change. */
  readonly modRevision: number;
  /** Set while the entry is soft-deleted. */
  readonly deletedAt: string | null;
};

export interface RecordedAt {
  readonly revision: number;
  readonly timestamp: string;
}

export const recordedAt = (event: { readonly revision: number; readonly metadata: StoreEventMetadata }): RecordedAt => ({
  revision: event.revision,
  timestamp: event.metadata.timestamp,
});

/** The events that replace an entry's content. */
export type EntryWritten = EntryCreated | EntryUpdated | EntryRestored;

export const isEntryWritten = (event: EntryEvent): event is EntryWritten =>
  event.type === 'StoreEntryCreated' || event.type === 'StoreEntryUpdated' || event.type === 'StoreEntryRestored';

/** The one evolve of the entry view: undefined means the key has no record (never written, expired, purged). */
export function evolveRecord(before: EntryRecord | undefined, event: EntryEvent, at: RecordedAt): EntryRecord | undefined {
  const base = { modRevision: at.revision };
  switch (event.type) {
    case 'StoreEntryCreated':
    case 'StoreEntryUpdated':
    case 'StoreEntryRestored':
      return writtenRecord(before?.createdAt, event, at);
    case 'StoreEntryTtlSet':
      return before && { ...before, ...base, version: event.data.version, expiresAt: event.data.expiresAt, updatedAt: at.timestamp };
    case 'StoreEntryDeleted':
      return before && { ...before, ...base, deletedAt: at.timestamp };
    case 'StoreEntryExpired':
    case 'StoreEntryPurged':
      return undefined;
  }
}

/** A write needs only when the record before it was created, never its old value. */
export function writtenRecord(createdBefore: string | undefined, event: EntryWritten, at: RecordedAt): EntryRecord {
  const { key, version, expiresAt } = event.data;
  const keepsCreatedAt = createdBefore !== undefined && event.type !== 'StoreEntryCreated';
  return {
    key, ...contentOf(event.data), version, expiresAt, modRevision: at.revision, deletedAt: null,
    createdAt: keepsCreatedAt ? createdBefore : at.timestamp,
    updatedAt: at.timestamp,
  };
}

/** Folds one event of a namespace stream into a key → record map (other events pass by). */
export function replayInto(records: Map<string, EntryRecord>, event: StoreEvent): void {
  if (event.type === 'StoreNamespaceDeleted') records.clear();
  if (!isEntryEvent(event)) return;
  const key = event.data.key;
  const after = evolveRecord(records.get(key), event, recordedAt(event));
  if (after) records.set(key, after);
  else records.delete(key);
}

/** Visible to a read at `nowMs`: not deleted, not expired. */
export const isVisible = (record: EntryRecord, nowMs: number) =>
  record.deletedAt === null && (record.expiresAt === null || record.expiresAt > nowMs);
