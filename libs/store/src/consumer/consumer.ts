import { parseCursor } from '../shared/cursor';
import { invalid } from '../shared/errors';
import { DomainEvent, STREAM_PREFIX } from '../shared/store-events';

/**
 * Durable consumers: a named subscriber keeps its checkpoint in the store, so it can resume by
 * name after a restart. Checkpoints are events; the last one wins (moving back replays).
 */
export type ConsumerCheckpointed = DomainEvent<'StoreConsumerCheckpointed', { readonly consumer: string; readonly position: string }>;

const CONSUMER_RE = /^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/;

/** Store-wide streams start with `_`, which no namespace name can. */
export const consumerStream = (name: string) => `${STREAM_PREFIX}_consumer-${name}`;

export function validateConsumerName(name: string): string {
  if (!CONSUMER_RE.test(name)) throw invalid('a consumer name follows the namespace rules: 1-64 of a-z, 0-9, ".", "_", "-"', { consumer: name.slice(0, 100) });
  return name;
}

export function decideCheckpoint(consumer: string, positionText: string, incarnation: string): ConsumerCheckpointed[] {
  validateConsumerName(consumer);
  if (typeof positionText !== 'string') throw invalid('position is a string');
  parseCursor(positionText, incarnation);
  return [{ type: 'StoreConsumerCheckpointed', data: { consumer, position: positionText } }];
}
