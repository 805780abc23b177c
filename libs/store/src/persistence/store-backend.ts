import { EventStore, Position, RebuildProgress } from '@app/event-store';
import { RestoreRequest } from '../backup/backup';
import { NamespaceWriter } from '../write-path/namespace-writer';
import { ReadModels } from './read-models';

/** Everything a backend provides: the log, the write path and the local read models. */
export abstract class StoreBackend {
  abstract readonly name: string;
  abstract readonly eventStore: EventStore;
  abstract readonly writer: NamespaceWriter;
  protected abstract readonly readModels: ReadModels;

  get entries() {
    return this.readModels.entries;
  }
  get namespaces() {
    return this.readModels.namespaces;
  }
  get consumers() {
    return this.readModels.consumers;
  }
  get history() {
    return this.readModels.history;
  }
  get rollbackPoints() {
    return this.readModels.rollbackPoints;
  }
  get snapshots() {
    return this.readModels.snapshots;
  }
  get timeTravel() {
    return this.readModels.timeTravel;
  }

  /** Each read-model projector of this process and the last position it applied. */
  abstract projectors(): ProjectorStatus[];
  /** Drops the read models and replays the whole log; answers the number of events replayed. */
  abstract rebuild(onProgress?: RebuildProgress): Promise<number>;
  /** A directory beside the data where a restore may spool the archive it verifies. */
  abstract readonly scratchDir: string;
  /** Restores a verified archive all or nothing, with a new incarnation (see backup/). */
  abstract restore<R>(request: RestoreRequest<R>): Promise<R>;
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
