import { DomainEvent } from '../shared/store-events';

export interface SnapshotData {
  readonly namespace: string;
  readonly id: string;
  /** The namespace revision captured: the snapshot holds the state after that revision. */
  readonly revision: number;
  /** Entries that were not deleted at that revision. */
  readonly entryCount: number;
  /**
   * Key and value bytes of those entries (what a quota counts), since schemaVersion 2; null for a
   * snapshot recorded before (events/snapshot.upcasters.ts): its size was not recorded.
   */
  readonly bytes: number | null;
}

/** Records that a snapshot was taken; its content is a cache any replica derives from the log. */
export type SnapshotCreated = DomainEvent<'StoreSnapshotCreated', SnapshotData>;
