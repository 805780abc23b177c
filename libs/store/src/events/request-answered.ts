import { DomainEvent, STREAM_PREFIX } from '../shared/store-events';

/** Where the answers to idempotent requests are recorded (see idempotency-log.ts for why). */
export const IDEMPOTENCY_STREAM = `${STREAM_PREFIX}_idempotency`;
export const REQUEST_ANSWERED = 'StoreIdempotentRequestAnswered';

/** Metadata the events of an idempotent write carry besides the usual who and why. */
export type IdempotencyMetadata = { readonly idempotencyKey: string; readonly requestFingerprint: string };

export interface RequestAnsweredData {
  readonly key: string;
  readonly fingerprint: string;
  readonly response: unknown;
}

export type IdempotentRequestAnswered = DomainEvent<typeof REQUEST_ANSWERED, RequestAnsweredData>;
