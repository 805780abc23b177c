import { EventStore, RebuildProgress } from '@app/event-store';
import { RestoreRequest } from '../backup/backup';
import { EntriesReadModel } from '../entries/entries.read-model';
import { NamespacesReadModel } from '../namespaces/namespaces.read-model';
import { NamespaceWriter } from '../write-path/namespace-writer';

/** Everything a backend provides: the log, the write path and the local read models. */
export abstract class StoreBackend {
  abstract readonly name: string;
  abstract readonly eventStore: EventStore;
  abstract readonly writer: NamespaceWriter;
  abstract readonly entries: EntriesReadModel;
  abstract readonly namespaces: NamespacesReadModel;
  /** Drops the read models and replays the whole log; answers the number of events replayed. */
  abstract rebuild(onProgress?: RebuildProgress): Promise<number>;
  /** A directory beside the data where a restore may spool the archive it verifies. */
  abstract readonly scratchDir: string;
  /** Restores a verified archive all or nothing, with a new incarnation (see backup/). */
  abstract restore<R>(request: RestoreRequest<R>): Promise<R>;
  /** Why the backend cannot serve now, or undefined when it can. */
  abstract unready(): string | undefined;
  /** Facts for the readiness report (durability settings, positions). */
  abstract describe(): Record<string, unknown>;
  abstract close(): Promise<void>;
}
