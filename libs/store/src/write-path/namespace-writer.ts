import { RecordedEvent } from '@app/event-store';
import { NamespaceEvent, NamespaceState } from '../namespaces/namespace';
import { CommandContext } from '../shared/store-events';

/** A request may carry an Idempotency-Key: the fingerprint tells a retry from a different request. */
export interface IdempotencyClaim {
  readonly key: string;
  readonly fingerprint: string;
}

export interface WriteOutcome {
  /** The events appended; empty when the decision was a no-op. */
  readonly events: readonly RecordedEvent[];
  /** The state the decision was made on. */
  readonly before: NamespaceState;
}

/**
 * One write to one namespace: load the state of the keys it touches, decide, append, answer.
 * `respond` runs once the events are projected into the local read models, so it may read them;
 * its result must be plain JSON, since it is what an idempotent retry is answered with.
 */
export interface WriteRequest<R> {
  readonly namespace: string;
  /** The keys the decision looks at; 'all' loads every key of the namespace, with content. */
  readonly keys: readonly string[] | 'all';
  /** Load value and metadata of the keys too (restore needs them). */
  readonly withContent?: boolean;
  readonly context: CommandContext;
  readonly idempotency?: IdempotencyClaim;
  decide(state: NamespaceState): NamespaceEvent[];
  respond(outcome: WriteOutcome): R;
}

/** The write path of the store; one implementation per backend. */
export abstract class NamespaceWriter {
  abstract write<R>(request: WriteRequest<R>): Promise<R>;
}
