import {
  ANY, AccessDeniedError, DeadlineExceededError, MaxAppendSizeExceededError, NO_STREAM, STREAM_EXISTS, StreamDeletedError,
  StreamNotFoundError, TimeoutError, UnavailableError, UnknownError, WrongExpectedVersionError,
} from '@eventstore/db-client';
import { AppendTooLargeError, BackendUnavailableError, ConcurrencyError, DuplicateEventIdError } from '../errors';
import { formatPosition, position } from '../position';
import {
  ClientRecordedEvent, KnownEvent, connectionStringProblem, fromClientCurrentRevision, fromClientExpectedRevision, incarnationFrom, isLogStream,
  isStreamNotFound, matchPriorAppend, toClientEvent, toClientExpectedRevision, toClientPosition, toPortPosition,
  toRecordedEvent, translateAppendError, translateEsdbError,
} from './esdb-mapping';

const ID = '0b7e4a52-8f1e-4c1a-9d55-3f6c2a7b9e01';

function wrongVersion(streamName: string, expected: WrongExpectedVersionError['expectedVersion'], current: WrongExpectedVersionError['actualVersion']) {
  return new WrongExpectedVersionError(undefined, { streamName, expected, current });
}

describe('expected revisions', () => {
  it('maps the port to the client', () => {
    expect(toClientExpectedRevision('any')).toBe(ANY);
    expect(toClientExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toClientExpectedRevision('stream_exists')).toBe(STREAM_EXISTS);
    expect(toClientExpectedRevision(0)).toBe(0n);
    expect(toClientExpectedRevision(41)).toBe(41n);
    expect(() => toClientExpectedRevision(-1)).toThrow(RangeError);
    expect(() => toClientExpectedRevision(1.5)).toThrow(RangeError);
  });

  it('maps the client to the port, legacy numeric constants included', () => {
    expect(fromClientExpectedRevision(ANY)).toBe('any');
    expect(fromClientExpectedRevision(NO_STREAM)).toBe('no_stream');
    expect(fromClientExpectedRevision(STREAM_EXISTS)).toBe('stream_exists');
    expect(fromClientExpectedRevision(7n)).toBe(7);
    expect(fromClientExpectedRevision(-1n)).toBe('no_stream');
    expect(fromClientExpectedRevision(-2n)).toBe('any');
    expect(fromClientExpectedRevision(-4n)).toBe('stream_exists');
    expect(() => fromClientExpectedRevision(2n ** 53n)).toThrow(RangeError);
  });

  it('maps current revisions', () => {
    expect(fromClientCurrentRevision('no_stream')).toBe('no_stream');
    expect(fromClientCurrentRevision(-1n)).toBe('no_stream');
    expect(fromClientCurrentRevision(0n)).toBe(0);
    expect(fromClientCurrentRevision(5n)).toBe(5);
  });
});

describe('positions', () => {
  it('carry commit and prepare exactly, with the incarnation', () => {
    const big = 2n ** 60n + 1n;
    const p = toPortPosition('inc1', { commit: big, prepare: 1200n })!;
    expect(p).toEqual({ incarnation: 'inc1', commit: big, prepare: 1200n });
    expect(formatPosition(p)).toBe('inc1:1152921504606846977:1200');
    expect(toClientPosition(p)).toEqual({ commit: big, prepare: 1200n });
    expect(toClientPosition(position('inc1', 42))).toEqual({ commit: 42n, prepare: 42n });
  });

  it('are undefined when the server does not know them', () => {
    expect(toPortPosition('inc1', undefined)).toBeUndefined();
    expect(toPortPosition('inc1', { commit: 2n ** 64n - 1n, prepare: 2n ** 64n - 1n })).toBeUndefined();
  });
});

describe('events', () => {
  const recorded: ClientRecordedEvent = {
    streamId: 'store-orders',
    id: ID,
    revision: 3n,
    type: 'StoreEntryCreated',
    data: { key: 'a', n: 1 },
    metadata: { actor: 'tester', correlationId: 'c-1' },
    created: new Date('2026-01-02T03:04:05.678Z'),
    position: { commit: 9000n, prepare: 8990n },
  };

  it('maps a recorded event to the port', () => {
    expect(toRecordedEvent('inc1', recorded)).toEqual({
      id: ID,
      type: 'StoreEntryCreated',
      stream: 'store-orders',
      revision: 3,
      data: { key: 'a', n: 1 },
      metadata: { actor: 'tester', correlationId: 'c-1' },
      position: { incarnation: 'inc1', commit: 9000n, prepare: 8990n },
      recordedAt: '2026-01-02T03:04:05.678Z',
    });
  });

  it('reads absent or binary metadata as empty, and refuses an event without a position', () => {
    expect(toRecordedEvent('inc1', { ...recorded, metadata: undefined }).metadata).toEqual({});
    expect(toRecordedEvent('inc1', { ...recorded, metadata: new Uint8Array([1]) }).metadata).toEqual({});
    expect(() => toRecordedEvent('inc1', { ...recorded, position: undefined })).toThrow(/without its log position/);
  });

  it('proposes port events as JSON events with their own id', () => {
    expect(toClientEvent({ id: ID, type: 'T', data: { n: 1 }, metadata: { actor: 'a' } })).toEqual({
      id: ID, contentType: 'application/json', type: 'T', data: { n: 1 }, metadata: { actor: 'a' },
    });
    expect(() => toClientEvent({ id: 'id-1', type: 'T', data: {}, metadata: {} })).toThrow(TypeError);
  });

  it('keeps system streams and the adapter stream out of the log', () => {
    expect(isLogStream('store-orders')).toBe(true);
    expect(isLogStream('other-app')).toBe(true);
    expect(isLogStream('store-_meta')).toBe(false);
    expect(isLogStream('$stats-127.0.0.1:2113')).toBe(false);
    expect(isLogStream('$ce-store')).toBe(false);
  });

  it('reads the incarnation', () => {
    expect(incarnationFrom({ incarnation: '0123abcd' })).toBe('0123abcd');
    expect(() => incarnationFrom({ incarnation: 'Not:Valid' })).toThrow(/StoreIncarnationCreated/);
    expect(() => incarnationFrom('x')).toThrow(/StoreIncarnationCreated/);
  });
});

describe('errors', () => {
  it('a wrong expected version is a ConcurrencyError with both revisions', () => {
    expect(translateEsdbError(wrongVersion('store-a', 3n, 5n))).toMatchObject({
      constructor: ConcurrencyError, stream: 'store-a', expected: 3, actual: 5,
    });
    expect(translateEsdbError(wrongVersion('store-a', NO_STREAM, 0n))).toMatchObject({ expected: 'no_stream', actual: 0 });
    expect(translateEsdbError(wrongVersion('store-a', STREAM_EXISTS, NO_STREAM))).toMatchObject({
      expected: 'stream_exists', actual: 'no_stream',
    });
    expect(translateEsdbError(wrongVersion('store-a', -1n, 2n))).toMatchObject({ expected: 'no_stream', actual: 2 });
  });

  it('unreachable or slow servers are BackendUnavailableError', () => {
    // What the client throws before a channel exists: a gRPC status it did not convert.
    const refused = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: 14, details: 'No connection established',
    });
    for (const error of [
      new UnavailableError(), new DeadlineExceededError(), new TimeoutError(), refused,
      new Error('Failed to discover after 10 attempts.'),
    ]) {
      const translated = translateEsdbError(error);
      expect(translated).toBeInstanceOf(BackendUnavailableError);
      expect((translated as Error).cause).toBe(error);
    }
    const grpc = new UnavailableError(Object.assign(new Error('14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1. Resolution note: '), {
      code: 14, details: '', metadata: undefined,
    }) as never);
    expect((translateEsdbError(grpc) as Error).message).toBe(
      'EventStoreDB unavailable: 14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED 127.0.0.1:1.',
    );
  });

  it('an append over the server\'s size limit is AppendTooLargeError', () => {
    const tooLarge = MaxAppendSizeExceededError.fromMaxAppendSize(1_048_576);
    const translated = translateEsdbError(tooLarge);
    expect(translated).toBeInstanceOf(AppendTooLargeError);
    expect((translated as Error).message).toBe('EventStoreDB refused the append: over its maximum append size (1048576 bytes)');
    expect(translateAppendError(tooLarge, 0, ID)).toBeInstanceOf(AppendTooLargeError);
  });

  it('every other error of the client is BackendUnavailableError with the error as its cause', () => {
    // A gRPC status the client converts to UnknownError: what a server answers that the client does not name.
    const internal = Object.assign(new Error('13 INTERNAL: boom'), { code: 13, details: 'boom', metadata: undefined });
    for (const error of [new AccessDeniedError(), StreamDeletedError.fromStreamName('store-a'), new UnknownError(), internal]) {
      const translated = translateEsdbError(error);
      expect(translated).toBeInstanceOf(BackendUnavailableError);
      expect((translated as Error).cause).toBe(error);
    }
    expect((translateEsdbError(StreamDeletedError.fromStreamName('store-a')) as Error).message).toBe('EventStoreDB: StreamDeletedError');
    expect((translateEsdbError(internal) as Error).message).toBe('EventStoreDB: UnknownError: 13 INTERNAL: boom');
  });

  it('a missing stream is recognised; errors that are not the client\'s pass untouched', () => {
    const missing = new StreamNotFoundError(undefined, 'store-a');
    expect(isStreamNotFound(missing)).toBe(true);
    expect(isStreamNotFound(new Error('x'))).toBe(false);
    for (const error of [new TypeError('x'), new RangeError('stream revision out of range'), 'text']) {
      expect(translateEsdbError(error)).toBe(error);
    }
  });

  it('an append error uses the caller\'s expectation; conflicts `any` cannot have are reused ids', () => {
    expect(translateAppendError(wrongVersion('store-a', 1n, 2n), 1, ID)).toMatchObject({
      constructor: ConcurrencyError, stream: 'store-a', expected: 1, actual: 2,
    });
    expect(translateAppendError(wrongVersion('store-a', STREAM_EXISTS, NO_STREAM), 'stream_exists', ID)).toMatchObject({
      constructor: ConcurrencyError, actual: 'no_stream',
    });
    expect(translateAppendError(wrongVersion('store-a', ANY, 4n), 'any', ID)).toMatchObject({
      constructor: DuplicateEventIdError, eventId: ID,
    });
    expect(translateAppendError(wrongVersion('store-a', STREAM_EXISTS, 4n), 'stream_exists', ID)).toBeInstanceOf(DuplicateEventIdError);
    expect(translateAppendError(new UnavailableError(), 0, ID)).toBeInstanceOf(BackendUnavailableError);
  });
});

describe('matchPriorAppend', () => {
  const append = { revision: 4, position: position('inc1', 500) };
  const known = new Map<string, KnownEvent>([
    ['a', { stream: 's', revision: 3, append, appendSize: 2 }],
    ['b', { stream: 's', revision: 4, append, appendSize: 2 }],
  ]);
  const match = (stream: string, ids: string[]) => matchPriorAppend(stream, ids, (id) => known.get(id));

  it('answers the same append again with its result', () => {
    expect(match('s', ['a', 'b'])).toBe(append);
  });

  it('passes appends of unknown ids', () => {
    expect(match('s', ['c', 'd'])).toBeUndefined();
  });

  it('refuses any other use of a known id, naming it', () => {
    const refused = (stream: string, ids: string[]) => {
      try {
        match(stream, ids);
      } catch (error) {
        return error instanceof DuplicateEventIdError ? error.eventId : error;
      }
      return 'accepted';
    };
    expect(refused('other', ['a', 'b'])).toBe('a');
    expect(refused('s', ['c', 'b'])).toBe('b');
    expect(refused('s', ['b', 'c'])).toBe('b');
    expect(refused('s', ['a', 'c'])).toBe('a');
    expect(refused('s', ['b', 'a'])).toBe('a');
    expect(refused('s', ['a'])).toBe('a');
    expect(refused('s', ['b'])).toBe('b');
  });
});

describe('connection strings', () => {
  it('accepts what the client parses', () => {
    expect(connectionStringProblem('esdb://localhost:2113?tls=false')).toBeUndefined();
    expect(connectionStringProblem('esdb+discover://a:2113,b:2113?tls=false&nodePreference=leader')).toBeUndefined();
  });

  it('names the problem in one line', () => {
    expect(connectionStringProblem('http://localhost:2113')).toBe('Unexpected "http://" at position 0, expected esdb:// or esdb+discover://.');
    expect(connectionStringProblem('esdb://localhost:port')).toBe('Unexpected "port" at position 17, expected port number.');
    expect(connectionStringProblem('esdb://localhost?tls=maybe')).toBe('Unexpected "maybe" at position 21, expected true or false.');
  });
});
