import { DomainEvent } from '../shared/store-events';

export interface SnapshotData {
  readonly namespace: string;
  readonly id: string;
  /** The namespace revision captured: the snapshot holds the state after that revision. */
  readonly revision: number;
  /** Entries that were not deleted at that revision. */
  readonly entryCount: number;
}

/** Records that a snapshot was taken; its content is a cache any replica derives from the log. */
export type SnapshotCreated = DomainEvent<'StoreSnapshotCreated', SnapshotData>;
