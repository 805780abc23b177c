import {
  ANY,
  AppendExpectedRevision,
  CurrentRevision,
  DeadlineExceededError,
  EventData as ClientEventData,
  JSONType,
  MaxAppendSizeExceededError,
  NO_STREAM,
  NotLeaderError,
  Position as ClientPosition,
  STREAM_EXISTS,
  StreamNotFoundError,
  TimeoutError,
  UnavailableError,
  WrongExpectedVersionError,
  convertToCommandError,
  isCommandError,
  jsonEvent,
} from '@eventstore/db-client';
import { parseConnectionString } from '@eventstore/db-client/dist/Client/parseConnectionString';
import { AppendTooLargeError, BackendUnavailableError, ConcurrencyError, DuplicateEventIdError } from '../errors';
import { AppendResult, EventData, EventMetadata, ExpectedRevision, RecordedEvent } from '../event-store.port';
import { Position, position } from '../position';

/** The adapter's own stream (the store incarnation). No namespace maps to it; it is not part of the log. */
export const META_STREAM = 'store-_meta';
export const INCARNATION_EVENT = 'StoreIncarnationCreated';

/** What the server puts in a position it does not know (stream reads before EventStoreDB 22.6). */
const UNKNOWN_POSITION = 2n ** 64n - 1n;
/** The server's legacy numeric expected versions, found in errors built from gRPC metadata. */
const LEGACY_EXPECTED: Record<string, ExpectedRevision> = { '-1': 'no_stream', '-2': 'any', '-4': 'stream_exists' };
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INCARNATION_RE = /^[a-z0-9]{1,32}$/;

/** The fields of the client's RecordedEvent that the adapter reads. */
export interface ClientRecordedEvent {
  readonly streamId: string;
  readonly id: string;
  readonly revision: bigint;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: unknown;
  readonly created: Date;
  readonly position?: ClientPosition;
}

/**
 * Why the client would refuse this connection string, in one line, or undefined when it parses.
 * The client's own parser, so configuration accepts exactly what the client does.
 */
export function connectionStringProblem(connectionString: string): string | undefined {
  try {
    parseConnectionString(connectionString);
    return undefined;
  } catch (error) {
    return String((error as Error)?.message ?? error).split('\n')[0].trim();
  }
}

export function toClientExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any': return ANY;
    case 'no_stream': return NO_STREAM;
    case 'stream_exists': return STREAM_EXISTS;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`not a stream revision: ${expected}`);
      return BigInt(expected);
  }
}

export function fromClientExpectedRevision(expected: AppendExpectedRevision): ExpectedRevision {
  if (typeof expected !== 'bigint') return expected;
  return LEGACY_EXPECTED[expected.toString()] ?? revisionToNumber(expected);
}

export function fromClientCurrentRevision(current: CurrentRevision): number | 'no_stream' {
  return current === NO_STREAM || current < 0n ? 'no_stream' : revisionToNumber(current);
}

export function revisionToNumber(revision: bigint): number {
  if (revision < 0n || revision > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`stream revision ${revision} is outside the port's range`);
  }
  return Number(revision);
}

export function toClientPosition(p: Position): ClientPosition {
  return { commit: p.commit, prepare: p.prepare };
}

/** Undefined when the server did not say where the event is. */
export function toPortPosition(incarnation: string, p: ClientPosition | undefined): Position | undefined {
  if (!p || p.commit === UNKNOWN_POSITION || p.prepare === UNKNOWN_POSITION) return undefined;
  return position(incarnation, p.commit, p.prepare);
}

export function toRecordedEvent(incarnation: string, event: ClientRecordedEvent): RecordedEvent {
  const at = toPortPosition(incarnation, event.position);
  if (!at) throw new Error(`EventStoreDB sent event ${event.id} without its log position (server 22.6 or later needed)`);
  return {
    id: event.id,
    type: event.type,
    stream: event.streamId,
    revision: revisionToNumber(event.revision),
    data: event.data,
    metadata: isRecord(event.metadata) ? event.metadata : {},
    position: at,
    recordedAt: event.created.toISOString(),
  };
}

/** EventStoreDB only takes UUIDs as event ids. */
export function toClientEvent(event: EventData): ClientEventData {
  if (!UUID_RE.test(event.id)) throw new TypeError(`EventStoreDB event ids must be UUIDs, got ${JSON.stringify(event.id)}`);
  return jsonEvent({ id: event.id, type: event.type, data: event.data as JSONType, metadata: event.metadata });
}

/** Events of the log: not the server's `$` streams, not the adapter's own stream. */
export function isLogStream(stream: string): boolean {
  return !stream.startsWith('$') && stream !== META_STREAM;
}

export function incarnationFrom(data: unknown): string {
  const incarnation = isRecord(data) ? data.incarnation : undefined;
  if (typeof incarnation !== 'string' || !INCARNATION_RE.test(incarnation)) {
    throw new Error(`${META_STREAM} does not start with a valid ${INCARNATION_EVENT} event`);
  }
  return incarnation;
}

export function isStreamNotFound(error: unknown): boolean {
  return error instanceof StreamNotFoundError;
}

/**
 * Driver errors to the port's: a wrong expected version is a ConcurrencyError, an append over the
 * server's size limit an AppendTooLargeError, and every other error of the client (a server that
 * cannot be reached or answer in time, access denied, a deleted stream…) a BackendUnavailableError
 * carrying it as its cause. Errors that are not the client's (this adapter's own) pass untouched.
 * Callers that read a stream test for StreamNotFoundError first: it means an empty stream.
 */
export function translateEsdbError(error: unknown): unknown {
  const known = toCommandError(error);
  if (known instanceof WrongExpectedVersionError) {
    return new ConcurrencyError(
      known.streamName, fromClientExpectedRevision(known.expectedVersion), fromClientCurrentRevision(known.actualVersion),
    );
  }
  if (known instanceof MaxAppendSizeExceededError) {
    return new AppendTooLargeError(`EventStoreDB refused the append: over its maximum append size (${known.maxAppendSize} bytes)`, { cause: error });
  }
  if (isUnavailable(known)) {
    // gRPC ends a refused connection's message with an empty "Resolution note: ".
    const reason = known.message.replace(/\s*Resolution note:\s*$/, '');
    return new BackendUnavailableError(`EventStoreDB unavailable: ${reason}`, { cause: error });
  }
  if (known instanceof Error && isCommandError(known)) {
    return new BackendUnavailableError(`EventStoreDB: ${[known.constructor.name, known.message].filter(Boolean).join(': ')}`, { cause: error });
  }
  return error;
}

/**
 * As translateEsdbError, for an append with the caller's expectation. `any` never conflicts, and
 * `stream_exists` only with a missing stream: any other wrong-expected-version answer is the
 * server's own id check refusing an append whose first id it has seen in another append.
 */
export function translateAppendError(error: unknown, expected: ExpectedRevision, firstEventId: string): unknown {
  const known = toCommandError(error);
  if (!(known instanceof WrongExpectedVersionError)) return translateEsdbError(error);
  const actual = fromClientCurrentRevision(known.actualVersion);
  if (expected === 'any' || (expected === 'stream_exists' && actual !== 'no_stream')) {
    return new DuplicateEventIdError(firstEventId);
  }
  return new ConcurrencyError(known.streamName, expected, actual);
}

/** An event this store instance appended, with the result and size of its append. */
export interface KnownEvent {
  readonly stream: string;
  readonly revision: number;
  readonly append: AppendResult;
  readonly appendSize: number;
}

/**
 * The port's idempotency rule over known events: the very ids of one earlier append, in the same
 * stream and order, answer that append's result; any other use of a known id is a duplicate.
 * Undefined when none of the ids is known.
 */
export function matchPriorAppend(
  stream: string, ids: readonly string[], known: (id: string) => KnownEvent | undefined,
): AppendResult | undefined {
  const first = known(ids[0]);
  ids.forEach((id, i) => {
    const hit = known(id);
    if (!first && !hit) return;
    const sameAppend = first && hit && hit.stream === stream && hit.revision === first.revision + i
      && hit.append.revision === first.append.revision;
    if (!sameAppend) throw new DuplicateEventIdError(hit ? id : ids[0]);
  });
  if (!first) return undefined;
  const whole = ids.length === first.appendSize && first.revision + ids.length - 1 === first.append.revision;
  if (!whole) throw new DuplicateEventIdError(ids[0]);
  return first.append;
}

function toCommandError(error: unknown): unknown {
  return error instanceof Error ? convertToCommandError(error) : error;
}

function isUnavailable(error: unknown): error is Error {
  return error instanceof UnavailableError || error instanceof DeadlineExceededError
    || error instanceof TimeoutError || error instanceof NotLeaderError
    || (error instanceof Error && /^Failed to discover after \d+ attempts/.test(error.message));
}

function isRecord(value: unknown): value is EventMetadata {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
