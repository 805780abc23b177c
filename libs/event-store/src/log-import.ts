import { EventData } from './event-store.port';
import { Position } from './position';

/** An event as another log recorded it (a backup), imported with its id, revision and time. */
export interface ImportedEvent extends EventData {
  readonly stream: string;
  readonly revision: number;
  readonly recordedAt: string;
}

/** What the log holds of a stream that an import also holds. */
export interface ExistingStream {
  readonly firstId: string;
  /** Id of the log's event at the import's last revision of the stream, if the stream reaches it. */
  readonly idAtImportHead: string | undefined;
}

/**
 * An import run all or nothing under the log's write lock: the adapter reads what the log holds of
 * `streams`, asks `decide`, and on 'import' renews the incarnation (every earlier position becomes
 * stale), writes `events()` and appends `closingEvent`.
 */
export interface LogImport<R> {
  /** Streams the import writes, with the last revision it holds of each. */
  readonly streams: ReadonlyMap<string, { readonly lastRevision: number }>;
  /** The events in log order, batch by batch; read synchronously under the lock. */
  events(): Iterable<readonly ImportedEvent[]>;
  decide(existing: ReadonlyMap<string, ExistingStream>): 'import' | 'skip';
  closingEvent(incarnations: { readonly previous: string; readonly next: string }): EventData & { readonly stream: string };
  onImported?(events: number): void;
  respond(outcome: { readonly imported: boolean; readonly incarnation: string; readonly position: Position | undefined }): R;
}

/** A log that can import another log's events (the embedded one); shared logs cannot yet. */
export interface LogImporter {
  importLog<R>(plan: LogImport<R>): Promise<R>;
}

export const canImport = (log: object): log is LogImporter => typeof (log as Partial<LogImporter>).importLog === 'function';

/** An imported event id was in the log before the import began. */
export class ImportConflictError extends Error {
  constructor(readonly eventId: string, readonly stream: string) {
    super(`event id ${eventId} is already in the log (stream ${stream})`);
  }
}
