import { DomainEvent } from '../shared/store-events';

export interface BackupCreatedData {
  readonly namespaces: readonly string[];
  readonly eventCount: number;
  readonly headPosition: string | null;
  readonly sha256: string;
}

export interface RestoredData {
  readonly namespaces: readonly string[];
  readonly eventCount: number;
  readonly sha256: string;
  readonly archiveCreatedAt: string;
  readonly sourceBackend: string;
  readonly sourceIncarnation: string;
  readonly sourceHeadPosition: string | null;
  readonly previousIncarnation: string;
  readonly incarnation: string;
}

/** Both go to the store-wide stream; who and when are in their metadata. */
export type BackupCreated = DomainEvent<'StoreBackupCreated', BackupCreatedData>;
export type Restored = DomainEvent<'StoreRestored', RestoredData>;

/** What the store holds of a stream the archive also holds. */
export type { ExistingStream } from '@app/event-store';

export type RestoreDecision = 'restore' | 'already-restored';
