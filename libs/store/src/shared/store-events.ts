/** A domain event before it is recorded: what deciders return. */
export interface DomainEvent<T extends string = string, D = unknown> {
  readonly type: T;
  readonly data: D;
}

/** Who and why, carried by every command and recorded as event metadata. */
export interface CommandContext {
  readonly actor: string;
  readonly correlationId: string;
  readonly causationId: string;
  readonly now: Date;
}

/**
 * The shape version of the events this release writes (in every event's metadata). 2: snapshots
 * record their size (events/snapshot.upcasters.ts reads version 1 ones).
 */
export const SCHEMA_VERSION = 2;

export type StoreEventMetadata = {
  readonly correlationId: string;
  readonly causationId: string;
  readonly actor: string;
  readonly schemaVersion: number;
  readonly timestamp: string;
  /** Set on the events of a write made with an Idempotency-Key. */
  readonly idempotencyKey?: string;
  readonly requestFingerprint?: string;
};

export function eventMetadata(ctx: CommandContext): StoreEventMetadata {
  return {
    correlationId: ctx.correlationId,
    causationId: ctx.causationId,
    actor: ctx.actor,
    schemaVersion: SCHEMA_VERSION,
    timestamp: ctx.now.toISOString(),
  };
}

/** Store streams share one prefix so subscribers can filter the whole log by it. */
export const STREAM_PREFIX = 'store-';
export const namespaceStream = (namespace: string) => `${STREAM_PREFIX}${namespace}`;
/** Store-wide events (restores, backups, …): `_` cannot start a namespace, so no namespace stream collides. */
export const STORE_WIDE_STREAM = `${STREAM_PREFIX}_store`;
