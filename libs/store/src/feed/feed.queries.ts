import { parsePosition, PositionFormatError, ReadAllFrom, RecordedEvent } from '@app/event-store';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NamespacesReadModel } from '../namespaces/namespaces.read-model';
import { StoreBackend } from '../persistence/store-backend';
import { StoreError } from '../shared/errors';
import { validateNamespace } from '../shared/names';
import { namespaceStream, STREAM_PREFIX } from '../shared/store-events';
import { FeedEvent, FeedFilter, matchesFeed, toFeedEvent } from './feed-event';

export type FeedStart = { from: 'start' | 'now' } | { after: string };

export interface FeedSubscription {
  /** Where the feed starts, as the client gave it, resolved. */
  readonly start: ReadAllFrom | 'end';
  readonly events: AsyncIterable<FeedEvent>;
}

/** Follow the change feed: catch up from the start point, then live, until the signal aborts. */
export class WatchFeed extends Query<FeedSubscription> {
  constructor(
    readonly start: FeedStart,
    readonly filter: FeedFilter,
    readonly signal: AbortSignal,
  ) {
    super();
  }
}

@QueryHandler(WatchFeed)
export class WatchFeedHandler implements IQueryHandler<WatchFeed> {
  constructor(private readonly backend: StoreBackend, private readonly namespaces: NamespacesReadModel) {}

  async execute({ start, filter, signal }: WatchFeed): Promise<FeedSubscription> {
    if (filter.namespace !== undefined && !this.namespaces.get(validateNamespace(filter.namespace))) {
      throw new StoreError('NAMESPACE_NOT_FOUND', `no namespace ${filter.namespace}`, { namespace: filter.namespace });
    }
    const after = this.resolveStart(start);
    const streamPrefix = filter.namespace === undefined ? STREAM_PREFIX : namespaceStream(filter.namespace);
    const source = this.backend.eventStore.subscribe({ after, streamPrefix, signal });
    return { start: after, events: feedOf(source, filter) };
  }

  private resolveStart(start: FeedStart): ReadAllFrom | 'end' {
    if ('from' in start) return start.from === 'start' ? 'start' : 'end';
    let position;
    try {
      position = parsePosition(start.after);
    } catch (error) {
      if (error instanceof PositionFormatError) {
        throw new StoreError('CURSOR_INVALID', 'the cursor is not a position of this store', { cursor: start.after.slice(0, 100) });
      }
      throw error;
    }
    const incarnation = this.backend.eventStore.incarnation;
    if (position.incarnation !== incarnation) {
      throw new StoreError('CURSOR_STALE', 'the cursor is from another incarnation of this store (before a restore?); start again from a fresh position', {
        cursor: start.after, incarnation,
      });
    }
    return position;
  }
}

async function* feedOf(source: AsyncIterable<RecordedEvent>, filter: FeedFilter): AsyncGenerator<FeedEvent> {
  for await (const event of source) {
    if (matchesFeed(event, filter)) yield toFeedEvent(event, filter);
  }
}
