import type { RawEvent } from './upcast';

/**
 * StoreSnapshotCreated v1 → v2. Version 2 records the snapshot's size in key and value bytes
 * beside its entry count, so a snapshot list shows what a restore from it would hold against a
 * quota. A version 1 snapshot did not record it, and an upcaster cannot know it (it sees one
 * event): it reads as `bytes: null`, "not recorded", never a made-up number.
 */
export const snapshotSizeRecorded = {
  migrationId: '0002-snapshot-bytes',
  description: 'StoreSnapshotCreated records the key and value bytes of the entries it captured (bytes); snapshots of version 1 read as bytes: null',
  fromVersion: 1,
  types: ['StoreSnapshotCreated'],
  upcast: (event: RawEvent): RawEvent => ({
    ...event,
    data: { bytes: null, ...(event.data as Record<string, unknown>) },
  }),
} as const;
