import { createHash } from 'node:crypto';
import { StoreError } from './errors';

/** A request's Idempotency-Key and the fingerprint that tells a retry from a different request. */
export interface IdempotencyClaim {
  readonly key: string;
  readonly fingerprint: string;
}

/** What makes two requests "the same" for an Idempotency-Key: operation and canonical body. */
export function fingerprint(operation: string, body: unknown): string {
  return createHash('sha256').update(operation).update('\n').update(JSON.stringify(body ?? null)).digest('base64url');
}

export const keyReused = (claim: IdempotencyClaim) =>
  new StoreError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request', { idempotencyKey: claim.key });

