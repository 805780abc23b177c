import { ExpectedRevision } from './event-store.port';

/** The stream was not at the expected revision. The only error adapters translate from drivers. */
export class ConcurrencyError extends Error {
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`);
  }
}

/** An event id is already in the log, but not as part of this very append (see the port's idempotency rule). */
export class DuplicateEventIdError extends Error {
  constructor(readonly eventId: string) {
    super(`event id ${eventId} already recorded in another append`);
  }
}

/** A position from another incarnation of the store (from before a restore, say). */
export class StalePositionError extends Error {
  constructor(readonly given: string, readonly incarnation: string) {
    super(`position ${given} is not of this store (incarnation ${incarnation})`);
  }
}

/** The backend refused an append for its size (EventStoreDB's MaxAppendSize); nothing was written. */
export class AppendTooLargeError extends Error {}

/** The store is out of space (SQLite full, disk full). */
export class StorageFullError extends Error {}

/** The backend cannot be reached or answered with an unexpected failure. */
export class BackendUnavailableError extends Error {}

/** A data file this adapter will not open: another application's, empty, damaged or too new. Nothing was written to it. */
export class DataFileError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(`${file} ${reason}`);
  }
}

/** A stored event no longer matches the checksum written with it: the log is damaged and the event is not served. */
export class CorruptEventError extends Error {
  constructor(readonly eventId: string, readonly stream: string, readonly revision: number, readonly position: number) {
    super(`event ${eventId} (stream ${stream}, revision ${revision}, position ${position}) does not match its checksum: the log is damaged`);
  }
}
