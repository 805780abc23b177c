import { Position } from '@app/event-store';
import { CommandContext, DomainEvent } from '../shared/store-events';
import { ArchivedEvent } from './archive';
import { ArchiveStreamSummary } from './archive-reader';

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
export interface ExistingStream {
  readonly firstId: string;
  /** Id of the store's event at the archive's last revision of the stream, if the stream reaches it. */
  readonly idAtArchiveHead: string | undefined;
}

export type RestoreDecision = 'restore' | 'already-restored';

export interface RestoreOutcome {
  readonly decision: RestoreDecision;
  readonly incarnation: string;
  /** Position of the StoreRestored event; the head for a repeat; undefined for an empty log. */
  readonly position: Position | undefined;
}

/**
 * A restore, run by the backend in one transaction: it reads what the store holds of the archive's
 * streams, asks `decide`, and on 'restore' renews the incarnation, imports `events()` and appends
 * `restoredEvent`. Mirrors WriteRequest: the backend owns the transaction, the feature the rules.
 */
export interface RestoreRequest<R> {
  readonly streams: ReadonlyMap<string, ArchiveStreamSummary>;
  readonly context: CommandContext;
  /** The archive's events in log order, batch by batch; read synchronously inside the transaction. */
  events(): Iterable<readonly ArchivedEvent[]>;
  decide(existing: ReadonlyMap<string, ExistingStream>): RestoreDecision;
  restoredEvent(incarnations: { readonly previous: string; readonly next: string }): Restored;
  /** Events imported so far. */
  onImported?(events: number): void;
  respond(outcome: RestoreOutcome): R;
}
