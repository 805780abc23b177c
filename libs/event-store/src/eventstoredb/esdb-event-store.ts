import {
  AllStreamResolvedEvent, BACKWARDS, END, EventStoreDBClient, FORWARDS, NO_STREAM, ReadPosition, START,
  WrongExpectedVersionError, jsonEvent, streamNameFilter,
} from '@eventstore/db-client';
import { randomBytes } from 'node:crypto';
import { untilAborted } from '../abort';
import { ConcurrencyError, DuplicateEventIdError, StalePositionError } from '../errors';
import {
  AppendResult, Decide, decideThenAppend, EventData, EventStore, ExpectedRevision, ReadAllFrom, ReadAllOptions, RecordedEvent, SubscribeOptions,
} from '../event-store.port';
import { comparePositions, formatPosition, Position } from '../position';
import {
  INCARNATION_EVENT, KnownEvent, META_STREAM, incarnationFrom, isLogStream, isStreamNotFound, matchPriorAppend,
  revisionToNumber, toClientEvent, toClientExpectedRevision, toClientPosition, toPortPosition, toRecordedEvent,
  translateAppendError, translateEsdbError,
} from './esdb-mapping';

const PAGE = 512;
const HEAD_PAGE = 64;

export interface EsdbEventStoreOptions {
  /** How many event ids of its own appends a store instance remembers for the idempotency rule. */
  readonly rememberedEventIds?: number;
}

/**
 * The event-store port on EventStoreDB / KurrentDB. Streams are used as named by the caller.
 * The log (readAll, subscribe, headPosition) is $all without the server's `$` streams and this
 * adapter's META_STREAM; positions are the server's (commit, prepare) plus the store incarnation.
 *
 * Idempotency by event id — what holds, since the server has no index by event id:
 * - the ids of an append made by this instance (the last `rememberedEventIds`) are matched here:
 *   the same append again answers its result and writes nothing, any other reuse is refused;
 * - from any process, a retry with the original exact revision or `no_stream` is recognised by the
 *   server from its stream index (durable) and answered with the original revision and position;
 *   a partial overlap there is refused as DuplicateEventIdError;
 * - with `any` / `stream_exists` the server's recognition rests on its id cache (lost on restart),
 *   and an id reused in another stream by another process is not detected.
 * Command idempotency therefore rests on request ids recorded with the append, not on this.
 */
export class EsdbEventStore implements EventStore {
  private readonly known = new Map<string, KnownEvent>();
  private closed = false;

  private constructor(
    private readonly client: EventStoreDBClient,
    readonly incarnation: string,
    private readonly rememberedEventIds: number,
  ) {}

  static async open(connectionString: string, options: EsdbEventStoreOptions = {}): Promise<EsdbEventStore> {
    const client = EventStoreDBClient.connectionString(connectionString);
    try {
      return new EsdbEventStore(client, await loadIncarnation(client), options.rememberedEventIds ?? 100_000);
    } catch (error) {
      await client.dispose();
      throw translateEsdbError(error);
    }
  }

  async append(stream: string, events: readonly EventData[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const proposed = events.map(toClientEvent);
    const replay = matchPriorAppend(stream, events.map((e) => e.id), (id) => this.known.get(id));
    if (replay) return replay;
    let written;
    try {
      written = await this.client.appendToStream(stream, proposed, { expectedRevision: toClientExpectedRevision(expected) });
    } catch (error) {
      throw await this.appendFailure(error, stream, events, expected);
    }
    // Read back the last event: when the server recognised a retry it wrote nothing, and the position
    // it answers is not necessarily that of the original append's last event.
    const revision = revisionToNumber(written.nextExpectedRevision);
    const [last] = await this.readStream(stream, revision, 1);
    if (last?.id !== events[events.length - 1].id) {
      throw new Error(`${stream}@${revision} does not hold the event just appended`);
    }
    const result = { revision, position: last.position };
    this.remember(stream, events, result);
    return result;
  }

  appendDecided(stream: string, decide: Decide): Promise<AppendResult | undefined> {
    return decideThenAppend(this, stream, decide);
  }

  async readStream(stream: string, fromRevision = 0, maxCount?: number): Promise<RecordedEvent[]> {
    if (maxCount !== undefined && maxCount <= 0) return [];
    const read = this.client.readStream(stream, { fromRevision: BigInt(fromRevision), direction: FORWARDS, maxCount });
    const events: RecordedEvent[] = [];
    try {
      for await (const { event } of read) if (event) events.push(toRecordedEvent(this.incarnation, event));
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw translateEsdbError(error);
    }
    return events;
  }

  async streamRevision(stream: string): Promise<number | undefined> {
    try {
      for await (const { event } of this.client.readStream(stream, { fromRevision: END, direction: BACKWARDS, maxCount: 1 })) {
        if (event) return revisionToNumber(event.revision);
      }
    } catch (error) {
      if (!isStreamNotFound(error)) throw translateEsdbError(error);
    }
    return undefined;
  }

  /** The JS client cannot filter a read of $all on the server: the prefix is applied here, page by page. */
  async readAll({ after, maxCount, streamPrefix }: ReadAllOptions): Promise<RecordedEvent[]> {
    this.assertOwnPosition(after);
    const events: RecordedEvent[] = [];
    let seen = after;
    while (events.length < maxCount) {
      const page = await this.readAllPage(seen === 'start' ? START : toClientPosition(seen), FORWARDS);
      for (const { event } of page) {
        if (!event) continue;
        const at = toPortPosition(this.incarnation, event.position)!;
        if (seen !== 'start' && comparePositions(at, seen) <= 0) continue; // reads start at `seen` inclusive
        seen = at;
        if (!isLogStream(event.streamId) || (streamPrefix && !event.streamId.startsWith(streamPrefix))) continue;
        events.push(toRecordedEvent(this.incarnation, event));
        if (events.length === maxCount) break;
      }
      if (page.length < PAGE) break;
    }
    return events;
  }

  async headPosition(): Promise<Position | undefined> {
    let from: ReadPosition = END;
    for (;;) {
      const page = await this.readAllPage(from, BACKWARDS, HEAD_PAGE);
      const last = page.find(({ event }) => event && isLogStream(event.streamId));
      if (last) return toPortPosition(this.incarnation, last.event!.position);
      if (page.length < HEAD_PAGE) return undefined;
      from = page[page.length - 1].event!.position;
    }
  }

  subscribe(options: SubscribeOptions): AsyncIterable<RecordedEvent> {
    return this.follow(options);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.dispose();
  }

  private async *follow({ after, streamPrefix, signal }: SubscribeOptions): AsyncGenerator<RecordedEvent> {
    this.assertOwnPosition(after);
    // From 'end': start after the last record of $all now, so nothing appended once we are asked is missed.
    const from = after === 'end' ? await this.lastRecordPosition() : after;
    const subscription = this.client.subscribeToAll({
      fromPosition: from === 'start' ? START : toClientPosition(from),
      filter: streamPrefix ? streamNameFilter({ prefixes: [streamPrefix] }) : streamNameFilter({ regex: '^[^$]' }),
    });
    const resolved = subscription[Symbol.asyncIterator]();
    try {
      while (!signal.aborted) {
        const next = await untilAborted(resolved.next(), signal);
        if (!next || next.done) return;
        const { event } = next.value;
        if (!event || !isLogStream(event.streamId)) continue;
        const recorded = toRecordedEvent(this.incarnation, event);
        if (from !== 'start' && comparePositions(recorded.position, from) <= 0) continue;
        yield recorded;
      }
    } catch (error) {
      if (signal.aborted || this.closed) return;
      throw translateEsdbError(error);
    } finally {
      await subscription.unsubscribe().catch(() => undefined);
      subscription.destroy();
    }
  }

  private async readAllPage(fromPosition: ReadPosition, direction: typeof FORWARDS | typeof BACKWARDS, maxCount = PAGE) {
    const page: AllStreamResolvedEvent[] = [];
    try {
      for await (const resolved of this.client.readAll({ fromPosition, direction, maxCount })) page.push(resolved);
    } catch (error) {
      throw translateEsdbError(error);
    }
    return page;
  }

  private async lastRecordPosition(): Promise<ReadAllFrom> {
    const [last] = await this.readAllPage(END, BACKWARDS, 1);
    return toPortPosition(this.incarnation, last?.event?.position) ?? 'start';
  }

  /** A refused exact or no_stream append whose first id sits where it expected to write reuses that id. */
  private async appendFailure(
    error: unknown, stream: string, events: readonly EventData[], expected: ExpectedRevision,
  ): Promise<unknown> {
    const translated = translateAppendError(error, expected, events[0].id);
    if (!(translated instanceof ConcurrencyError) || expected === 'any' || expected === 'stream_exists') return translated;
    const at = expected === 'no_stream' ? 0 : expected + 1;
    const [found] = await this.readStream(stream, at, 1).catch(() => []);
    return found?.id === events[0].id ? new DuplicateEventIdError(events[0].id) : translated;
  }

  private remember(stream: string, events: readonly EventData[], append: AppendResult): void {
    const first = append.revision - events.length + 1;
    events.forEach((e, i) => {
      this.known.delete(e.id);
      this.known.set(e.id, { stream, revision: first + i, append, appendSize: events.length });
    });
    for (const id of this.known.keys()) {
      if (this.known.size <= this.rememberedEventIds) break;
      this.known.delete(id);
    }
  }

  private assertOwnPosition(after: ReadAllFrom | 'end'): void {
    if (typeof after === 'object' && after.incarnation !== this.incarnation) {
      throw new StalePositionError(formatPosition(after), this.incarnation);
    }
  }
}

/** The incarnation is the first event of META_STREAM, written once with no_stream by whichever replica starts first. */
async function loadIncarnation(client: EventStoreDBClient): Promise<string> {
  const existing = await readIncarnation(client);
  if (existing) return existing;
  const incarnation = randomBytes(8).toString('hex');
  try {
    await client.appendToStream(META_STREAM, jsonEvent({ type: INCARNATION_EVENT, data: { incarnation } }), {
      expectedRevision: NO_STREAM,
    });
    return incarnation;
  } catch (error) {
    if (!(error instanceof WrongExpectedVersionError)) throw error;
    const raced = await readIncarnation(client);
    if (!raced) throw error;
    return raced;
  }
}

async function readIncarnation(client: EventStoreDBClient): Promise<string | undefined> {
  try {
    for await (const { event } of client.readStream(META_STREAM, { fromRevision: START, maxCount: 1 })) {
      if (event) return incarnationFrom(event.data);
    }
  } catch (error) {
    if (!isStreamNotFound(error)) throw error;
  }
  return undefined;
}

