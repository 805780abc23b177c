import { namespaceNotFound } from '../namespace/namespace';
import { Caller } from '../shared/request-meta';
import { AccessControl } from '../access/access-control';
import { parsePosition, ReadAllFrom, RecordedEvent } from '@app/event-store';
import { validateConsumerName } from '../consumer/consumer';
import { parseCursorInLog } from '../shared/cursor';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NamespacesReadModel } from '../read-models/namespaces/namespaces.read-model';
import { StoreBackend } from '../runtime/store-backend';
import { StoreError } from '../shared/errors';
import { validateNamespace } from '../shared/names';
import { namespaceStream, STREAM_PREFIX } from '../shared/store-events';
import { isNamespaceEvent, StoreEvent, toStoreEvent } from '../events/store-event';
import { forgetPurged, PurgedKeys } from '../events/forget';
import { FeedEvent, FeedFilter, matchesFeed, toFeedEvent } from './feed-event';
import { SealedReads } from '../crypto/sealed-reads';

export type FeedStart = { from: 'start' | 'now' } | { after: string } | { consumer: string };

export interface FeedSubscription {
  /** Where the feed starts, as the client gave it, resolved. */
  readonly start: ReadAllFrom | 'end';
  readonly events: AsyncIterable<FeedEvent>;
  /**
   * Whether an event (by its position) was already in the log when the subscription started: the
   * catch-up, which a transport may send at its subscriber's pace, unlike live events.
   */
  readonly inBacklog: (position: string) => boolean;
}

/** Follow the change feed: catch up from the start point, then live, until the signal aborts. */
export class WatchFeed extends Query<FeedSubscription> {
  constructor(
    readonly start: FeedStart,
    readonly filter: FeedFilter,
    readonly signal: AbortSignal,
    /** Whose grants decide, event by event, what the feed delivers. */
    readonly caller?: Caller,
  ) {
    super();
  }
}

@QueryHandler(WatchFeed)
export class WatchFeedHandler implements IQueryHandler<WatchFeed> {
  constructor(
    private readonly backend: StoreBackend, private readonly namespaces: NamespacesReadModel, private readonly access: AccessControl,
    private readonly sealed: SealedReads,
  ) {}

  async execute({ start, filter, signal, caller }: WatchFeed): Promise<FeedSubscription> {
    if (filter.namespace !== undefined) this.access.require(caller, 'read', validateNamespace(filter.namespace));
    // A deleted namespace's feed still serves its stream (its history stays, and a later life continues it).
    if (filter.namespace !== undefined && !this.namespaces.head(validateNamespace(filter.namespace))) {
      throw namespaceNotFound(filter.namespace);
    }
    // Consumer checkpoints are store-wide: only a caller that may read some namespace learns of them (as through /v1/consumers).
    if ('consumer' in start) this.access.requireSomeRead(caller);
    const after = await this.resolveStart(start);
    const head = await this.backend.eventStore.headPosition();
    const inBacklog = (position: string) => {
      if (!head) return false;
      const p = parsePosition(position);
      return p.incarnation === head.incarnation && p.commit <= head.commit;
    };
    const streamPrefix = filter.namespace === undefined ? STREAM_PREFIX : namespaceStream(filter.namespace);
    const source = this.backend.eventStore.subscribe({ after, streamPrefix, signal });
    return { start: after, events: feedOf(source, filter, this.readableBy(caller), this.backend.purged, (e) => this.opened(e)), inBacklog };
  }

  /**
   * Decided per event on the grants as they are when it is delivered: a namespace created or granted
   * later shows up, one revoked stops. Store-wide events (reloads, backups, checkpoints) are for admins.
   */
  private readableBy(caller: Caller | undefined): (event: StoreEvent) => boolean {
    if (this.access.seesAll(caller)) return () => true;
    return (event) => isNamespaceEvent(event) && this.access.canRead(caller, event.data.namespace);
  }

  /** A cursor beyond the head of the log is refused (CURSOR_INVALID): following it would skip events silently. */
  private async resolveStart(start: FeedStart): Promise<ReadAllFrom | 'end'> {
    if ('from' in start) return start.from === 'start' ? 'start' : 'end';
    const after = 'after' in start ? start.after : this.consumerPosition(start.consumer);
    return parseCursorInLog(after, this.backend.eventStore);
  }

  /**
   * Values of encrypted namespaces as written; one that cannot be opened (shredded, no master key)
   * leaves the event without value and metadata, saying why in `unreadable`: the feed goes on.
   */
  private opened(event: FeedEvent): FeedEvent {
    if (typeof event.namespace !== 'string' || typeof event.key !== 'string' || (event.value === undefined && event.metadata === undefined)) return event;
    try {
      return this.sealed.open(event.namespace, event.key, event as FeedEvent & { value?: string; metadata?: Record<string, string> });
    } catch (error) {
      if (!(error instanceof StoreError)) throw error;
      const { value: _value, valueBase64: _bytes, metadata: _metadata, ...rest } = event;
      return { ...rest, unreadable: error.code };
    }
  }

  private consumerPosition(name: string): string {
    const consumer = this.backend.consumers.get(validateConsumerName(name));
    if (!consumer) throw new StoreError('CONSUMER_NOT_FOUND', `no consumer ${name} has saved a checkpoint`, { consumer: name });
    return consumer.position;
  }
}

async function* feedOf(
  source: AsyncIterable<RecordedEvent>, filter: FeedFilter, readable: (event: StoreEvent) => boolean, purged: PurgedKeys,
  open: (event: FeedEvent) => FeedEvent,
): AsyncGenerator<FeedEvent> {
  for await (const recorded of source) {
    const event = toStoreEvent(recorded);
    if (event && matchesFeed(event, filter) && readable(event)) yield open(toFeedEvent(forgetPurged(event, purged), filter));
  }
}
