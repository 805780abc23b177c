import { formatPosition } from '@app/event-store';
import { StoreEvent } from '../events/store-event';
import { IDEMPOTENCY_STREAM } from '../events/request-answered';
import { namespaceStream } from '../shared/store-events';

/** What a change-feed subscriber receives for one event. */
export interface FeedEvent {
  type: string;
  stream: string;
  namespace?: string;
  key?: string;
  version?: number;
  revision: number;
  position: string;
  timestamp: string;
  actor: string;
  correlationId: string;
  causationId: string;
  [field: string]: unknown;
}

export interface FeedFilter {
  /** Only this namespace's stream. */
  readonly namespace?: string;
  /** Only events about keys starting with this prefix (events without a key are left out). */
  readonly keyPrefix?: string;
  /** Only these event types. */
  readonly types?: ReadonlySet<string>;
  /** Leave values out of entry events. */
  readonly withoutValues?: boolean;
}

const VALUE_FIELDS = new Set(['value', 'valueBase64']);
/** What a forgotten (redacted) write leaves out: its value and its metadata. */
const FORGOTTEN_FIELDS = new Set(['value', 'valueBase64', 'metadata']);

/** Streams of the store's own bookkeeping (idempotency answers), not changes anyone subscribes to. */
const INTERNAL_STREAMS = new Set([IDEMPOTENCY_STREAM]);

/**
 * Bookkeeping of subscribers (durable consumers' checkpoints): left out of the feed unless `types`
 * names them, as Kafka keeps committed offsets out of the topics they are offsets of.
 */
const BOOKKEEPING_TYPES = new Set(['StoreConsumerCheckpointed']);

export function matchesFeed(event: StoreEvent, filter: FeedFilter): boolean {
  if (INTERNAL_STREAMS.has(event.stream)) return false;
  if (filter.namespace !== undefined && event.stream !== namespaceStream(filter.namespace)) return false;
  if (filter.types ? !filter.types.has(event.type) : BOOKKEEPING_TYPES.has(event.type)) return false;
  if (filter.keyPrefix !== undefined) {
    const key = 'key' in event.data ? event.data.key : undefined;
    if (key === undefined || !key.startsWith(filter.keyPrefix)) return false;
  }
  return true;
}

export function toFeedEvent(event: StoreEvent, filter: FeedFilter): FeedEvent {
  const redacted = 'redacted' in event.data && event.data.redacted !== undefined;
  const data = Object.entries(event.data).filter(([field]) =>
    !(redacted && FORGOTTEN_FIELDS.has(field)) && !(filter.withoutValues && VALUE_FIELDS.has(field)));
  const { timestamp, actor, correlationId, causationId } = event.metadata;
  return {
    ...Object.fromEntries(data),
    type: event.type,
    stream: event.stream,
    revision: event.revision,
    position: formatPosition(event.position),
    timestamp,
    actor,
    correlationId,
    causationId,
  };
}
