import { EventStore, Position, RebuildProgress } from '@app/event-store';
import { ConsumersReadModel } from '../consumers/consumers.read-model';
import { EntriesReadModel } from '../entries/entries.read-model';
import { HistoryReadModel } from '../history/history.read-model';
import { TimeTravel } from '../history/time-travel';
import { NamespacesReadModel } from '../namespaces/namespaces.read-model';
import { RollbackPointsReadModel } from '../rollback/rollback-points.read-model';
import { SnapshotsReadModel } from '../snapshots/snapshots.read-model';
import { NamespaceWriter } from '../write-path/namespace-writer';

/** Everything a backend provides: the log, the write path and the local read models. */
export abstract class StoreBackend {
  abstract readonly name: string;
  abstract readonly eventStore: EventStore;
  abstract readonly writer: NamespaceWriter;
  abstract readonly entries: EntriesReadModel;
  abstract readonly namespaces: NamespacesReadModel;
  abstract readonly consumers: ConsumersReadModel;
  abstract readonly history: HistoryReadModel;
  abstract readonly rollbackPoints: RollbackPointsReadModel;
  abstract readonly snapshots: SnapshotsReadModel;
  abstract readonly timeTravel: TimeTravel;
  /** Each read-model projector of this process and the last position it applied. */
  abstract projectors(): ProjectorStatus[];
  /** Drops the read models and replays the whole log; answers the number of events replayed. */
  abstract rebuild(onProgress?: RebuildProgress): Promise<number>;
  /** Why the backend cannot serve now, or undefined when it can. */
  abstract unready(): string | undefined;
  /** Throws BackendUnavailableError while the read models cannot be read (not connected yet, rebuilding). */
  abstract assertReadable(): void;
  /** True once the local read models include the event at `position`; false when `timeoutMs` passes first. */
  abstract projected(position: Position, timeoutMs: number): Promise<boolean>;
  /** Facts for the readiness report (durability settings, positions, projector lag). */
  abstract describe(): Record<string, unknown> | Promise<Record<string, unknown>>;
  abstract close(): Promise<void>;
}

export interface ProjectorStatus {
  readonly id: string;
  readonly position: Position | 'start';
}
