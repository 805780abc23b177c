import { formatPosition, RecordedEvent } from '@app/event-store';
import { fingerprint } from '../idempotency/idempotency';
import { NamespaceEvent, NamespaceState } from '../namespaces/namespace';
import { Clock } from '../shared/clock';
import { validateNamespace } from '../shared/names';
import { RequestMeta } from '../shared/request-meta';
import { NamespaceWriter, WriteOutcome } from './namespace-writer';

export interface CommandSpec<R> {
  readonly namespace: string;
  readonly keys: readonly string[] | 'all';
  readonly withContent?: boolean;
  /** Names the operation and its input, so an Idempotency-Key retry can be told from a new request. */
  readonly operation: string;
  readonly input: unknown;
  decide(state: NamespaceState, now: Date): NamespaceEvent[];
  /** Answers from the read models once the events are projected; `now` is the time the decision was made at. */
  respond(outcome: WriteOutcome, now: Date): R;
}

/** The one shape of every namespace command handler: validate, then load, decide, append, answer. */
export function handleCommand<R>(writer: NamespaceWriter, clock: Clock, meta: RequestMeta, spec: CommandSpec<R>): Promise<R> {
  validateNamespace(spec.namespace);
  const now = clock.now();
  return writer.write({
    namespace: spec.namespace,
    keys: spec.keys,
    withContent: spec.withContent,
    context: { actor: meta.actor, correlationId: meta.correlationId, causationId: meta.causationId, now },
    idempotency: meta.idempotencyKey === undefined ? undefined : {
      key: meta.idempotencyKey,
      fingerprint: fingerprint(`${spec.operation} ${spec.namespace}`, spec.input),
    },
    decide: (state) => spec.decide(state, now),
    respond: (outcome) => spec.respond(outcome, now),
  });
}

/** Where a write landed: the revision and position of its last event. */
export function appendedAt(events: readonly RecordedEvent[]): { revision: number; position: string } {
  const last = events[events.length - 1];
  return { revision: last.revision, position: formatPosition(last.position) };
}
