import { Position } from './position';

/**
 * The event-store port. Numbering, fixed here and checked with exact values by the contract suite:
 * - the first event of a stream has revision 0; a stream's revision is the revision of its last event;
 * - `append` with a number expects the stream's revision to be exactly that number;
 * - positions grow with every append across all streams; `readAll`/`subscribe` take `after`
 *   (exclusive): they return events strictly after that position; `'start'` means before the first.
 * - Appends are idempotent by event id: appending again the same ids (same stream, same order)
 *   as an earlier append answers that append's result and writes nothing.
 */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export type EventMetadata = Readonly<Record<string, unknown>>;

export interface EventData {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent extends EventData {
  readonly stream: string;
  readonly revision: number;
  readonly position: Position;
  /** ISO-8601 time the log recorded the event. */
  readonly recordedAt: string;
}

export interface AppendResult {
  /** Revision of the last event written (the stream's new revision). */
  readonly revision: number;
  /** Position of the last event written. */
  readonly position: Position;
}

export type ReadAllFrom = Position | 'start';

export interface ReadAllOptions {
  readonly after: ReadAllFrom;
  readonly maxCount: number;
  /** Only streams whose name starts with this prefix. */
  readonly streamPrefix?: string;
}

export interface SubscribeOptions {
  readonly after: ReadAllFrom | 'end';
  readonly streamPrefix?: string;
  readonly signal: AbortSignal;
}

/**
 * Decides what to append to a stream, given the revision the stream is at (undefined: no stream).
 * Answers the events to append with exactly that expected revision; none writes nothing. It is
 * synchronous and may throw to refuse; it is called again for every attempt.
 */
export type Decide = (revision: number | undefined) => readonly EventData[];

export interface EventStore {
  /** Id of this store's incarnation: carried by every position. */
  readonly incarnation: string;
  append(stream: string, events: readonly EventData[], expected: ExpectedRevision): Promise<AppendResult>;
  /**
   * Decide, then append with the revision the decision saw. An adapter with a write lock (SQLite)
   * decides under it, so the append cannot conflict; others read the revision, decide and append,
   * and answer ConcurrencyError when another writer came in between. Undefined when nothing was decided.
   * The ids are a fresh decision's own: the rule of answering an earlier append with the same ids
   * is not promised here (a known id may be refused with DuplicateEventIdError).
   */
  appendDecided(stream: string, decide: Decide): Promise<AppendResult | undefined>;
  /** Events of one stream from `fromRevision` (inclusive), oldest first; empty for a missing stream. */
  readStream(stream: string, fromRevision?: number, maxCount?: number): Promise<RecordedEvent[]>;
  /** Revision of the stream's last event, or undefined when the stream does not exist. */
  streamRevision(stream: string): Promise<number | undefined>;
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Position of the last event in the log, or undefined when the log is empty. */
  headPosition(): Promise<Position | undefined>;
  /** Catch up from `after`, then follow new events live, in log order, until the signal aborts. */
  subscribe(options: SubscribeOptions): AsyncIterable<RecordedEvent>;
  close(): Promise<void>;
}

/** appendDecided for an adapter without a write lock: read the revision, decide, append expecting it. */
export async function decideThenAppend(
  store: Pick<EventStore, 'streamRevision' | 'append'>, stream: string, decide: Decide,
): Promise<AppendResult | undefined> {
  const revision = await store.streamRevision(stream);
  const events = decide(revision);
  return events.length === 0 ? undefined : store.append(stream, events, revision ?? 'no_stream');
}
