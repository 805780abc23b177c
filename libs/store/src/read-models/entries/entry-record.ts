import { RecordedEvent } from '@app/event-store';
import { StoreEventMetadata } from '../../shared/store-events';
import { contentOf, EntryContent, EntryEvent, isEntryEvent } from '../../namespace/entry';

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

export const recordedAt = (event: RecordedEvent): RecordedAt => ({
  revision: event.revision,
  timestamp: (event.metadata as unknown as StoreEventMetadata).timestamp,
});

/** The one evolve of the entry view: undefined means the key has no record (never written, expired, purged). */
export function evolveRecord(before: EntryRecord | undefined, event: EntryEvent, at: RecordedAt): EntryRecord | undefined {
  const base = { modRevision: at.revision };
  switch (event.type) {
    case 'StoreEntryCreated':
    case 'StoreEntryUpdated':
    case 'StoreEntryRestored': {
      const { key, version, expiresAt } = event.data;
      const keepsCreatedAt = before !== undefined && event.type !== 'StoreEntryCreated';
      return {
        key, ...contentOf(event.data), version, expiresAt, ...base, deletedAt: null,
        createdAt: keepsCreatedAt ? before.createdAt : at.timestamp,
        updatedAt: at.timestamp,
      };
    }
    case 'StoreEntryTtlSet':
      return before && { ...before, ...base, version: event.data.version, expiresAt: event.data.expiresAt, updatedAt: at.timestamp };
    case 'StoreEntryDeleted':
      return before && { ...before, ...base, deletedAt: at.timestamp };
    case 'StoreEntryExpired':
    case 'StoreEntryPurged':
      return undefined;
  }
}

/** Folds one recorded event of a namespace stream into a key → record map (other events pass by). */
export function replayInto(records: Map<string, EntryRecord>, event: RecordedEvent): void {
  if (!isEntryEvent(event)) return;
  const entryEvent = event as unknown as EntryEvent;
  const key = entryEvent.data.key;
  const after = evolveRecord(records.get(key), entryEvent, recordedAt(event));
  if (after) records.set(key, after);
  else records.delete(key);
}

/** Visible to a read at `nowMs`: not deleted, not expired. */
export const isVisible = (record: EntryRecord, nowMs: number) =>
  record.deletedAt === null && (record.expiresAt === null || record.expiresAt > nowMs);
