import { ConcurrencyError, EventData, EventStore, ReadModelHost, RecordedEvent } from '@app/event-store';
import { isNamespaceEvent, RecordedNamespaceEvent, requireStoreEvent, StoreEventDecodeError } from '../events/store-event';
import { decodeOnce } from '../events/store-projection';
import { IdempotencyLog, idempotencyMetadata } from '../read-models/idempotency/idempotency-log';
import { FailpointHit, noFailpoints } from '../shared/failpoints';
import { fingerprint, IdempotencyClaim as Claim, keyReused } from '../shared/idempotency';
import { NamespaceEvent, NamespaceState } from '../namespace/namespace';
import { StoreError } from '../shared/errors';
import { newEventId } from '../shared/event-id';
import { validateNamespace } from '../shared/names';
import { RequestMeta } from '../shared/request-meta';
import { eventMetadata, namespaceStream } from '../shared/store-events';
import { DecisionStates, KeysToLoad, ReadModelsBehind } from './decision-states';
import { WriteAccess, WriteOperation, WritePolicy } from './write-policy';
import { noWriteGuard, WriteGuard } from './lock-guard';

export interface WriteOutcome {
  /** The events appended, decoded; empty when the decision was a no-op. */
  readonly events: readonly RecordedNamespaceEvent[];
}

/** One command on one namespace: what it touches, its rules, and its answer. */
export interface CommandSpec<R> {
  readonly namespace: string;
  /** The keys the decision looks at; 'all' loads every key of the namespace, with content. */
  readonly keys: KeysToLoad;
  /** Load value and metadata of the keys too (restore needs them). */
  readonly withContent?: boolean;
  /** Names the operation and its input, so an Idempotency-Key retry can be told from a new request. */
  readonly operation: WriteOperation;
  readonly input: unknown;
  decide(state: NamespaceState, now: Date): NamespaceEvent[];
  /**
   * The answer, computed right after the write's events are projected (inside the projector's
   * transaction), so it may read the read models as of the write. Plain JSON: retries replay it.
   */
  respond(outcome: WriteOutcome, now: Date): R;
}

export interface WriterOptions {
  /** How long a write may wait for the read models: to reach the revision it decides at, and to project its events. */
  readonly timeoutMs: number;
  /** Appends tried before a namespace that keeps changing is given up. */
  readonly attempts?: number;
  /** Queue writes per namespace (a log shared by replicas: only other replicas' appends then conflict). */
  readonly queuePerNamespace?: boolean;
}

/** Turns a decision's events into the events to append (seals the values of encrypted namespaces). */
export type EventSealer = (state: NamespaceState, decided: NamespaceEvent[], now: Date) => NamespaceEvent[];

const noSealing: EventSealer = (_state, decided) => decided;

/**
 * The one write path: validate → authorise → load the decision state → decide (after the lock
 * guard's freeze and fencing check) → append with the revision decided at → wait until projected →
 * answer. The log decides when to call `decide`: the embedded log under its write lock inside a
 * group commit, a shared log optimistically, with a ConcurrencyError sending the write round again.
 */
export class NamespaceWriter {
  private readonly queues = new Map<string, Promise<unknown>>();
  /** Idempotency-Keys of writes appended but not answered yet: a concurrent retry waits for their answer. */
  private readonly inFlight = new Map<string, { readonly fingerprint: string; readonly answer: Promise<unknown> }>();
  private sealer: EventSealer = noSealing;

  constructor(
    private readonly log: EventStore,
    private readonly readModels: ReadModelHost,
    private readonly states: DecisionStates,
    private readonly idempotency: IdempotencyLog,
    private readonly policy: WritePolicy,
    private readonly options: WriterOptions,
    private readonly assertWritable: () => void,
    /** Test crash points (shared/failpoints.ts); none by default. */
    private readonly failpoint: FailpointHit = noFailpoints,
    /** Checks against state outside the namespace (locks), made inside the decision. */
    private readonly guard: WriteGuard = noWriteGuard,
  ) {}

  /** Seals values after the decision (its checks see plaintext) and before the append: the log holds only what this returns. */
  sealWith(sealer: EventSealer): void {
    this.sealer = sealer;
  }

  async write<R>(meta: RequestMeta, now: Date, spec: CommandSpec<R>): Promise<R> {
    this.authorise(meta, spec);
    this.assertWritable();
    const guardReady = this.guard.prepare(meta, spec);
    if (guardReady) await guardReady;
    if (!this.options.queuePerNamespace) return this.attempt(meta, now, spec);
    return this.queued(spec.namespace, () => this.attempt(meta, now, spec));
  }

  /** The path's first two steps, for a command that must look something up before it writes (and must not tell a refused caller what it found). */
  authorise(meta: RequestMeta, access: WriteAccess): void {
    validateNamespace(access.namespace);
    this.policy.authorise(meta, access);
  }

  private async attempt<R>(meta: RequestMeta, now: Date, spec: CommandSpec<R>): Promise<R> {
    const claim = meta.idempotencyKey === undefined
      ? undefined
      : { key: meta.idempotencyKey, fingerprint: fingerprint(`${spec.operation} ${spec.namespace}`, spec.input) };
    const deadline = Date.now() + this.options.timeoutMs;
    const attempts = this.options.attempts ?? 8;
    for (let attempt = 1; ; attempt++) {
      const step = new Step<R>();
      try {
        const appended = await this.log.appendDecided(namespaceStream(spec.namespace), (revision) => {
          step.reset();
          if (claim && this.priorAnswer(claim, step, () => this.answerFromLog(spec, now, claim))) return [];
          this.guard.check(meta, spec, now);
          const before = this.states.at(spec.namespace, spec.keys, revision, spec.withContent);
          const decided = this.sealer(before, spec.decide(before, now), now);
          if (decided.length === 0) return [];
          const events = this.toEventData(decided, meta, now, claim);
          step.answer = this.readModels.watch.expect(
            events.map((e) => e.id),
            (recorded) => this.answered(claim, spec.respond({ events: recorded.map(toNamespaceEvent) }, now)),
            // Read models projected in the append's own transaction answer before it commits: no wait to bound.
            this.readModels.inline ? Infinity : deadline - Date.now(),
            () => projectionTimeout(),
          );
          this.states.advance(before, decided);
          this.failpoint('before-append');
          return events;
        });
        if (step.replay) return (await step.replay) as R;
        if (!appended) return spec.respond({ events: [] }, now);
        if (claim) this.track(claim, step.answer!.result);
        const answer = await step.answer!.result;
        this.failpoint('after-commit-before-answer');
        return answer;
      } catch (error) {
        step.reset();
        if (!(error instanceof StoreError)) this.states.forget(spec.namespace);
        if (attempt >= attempts || !(error instanceof ReadModelsBehind || error instanceof ConcurrencyError)) throw error;
        await this.catchUp(spec.namespace, error, deadline);
      }
    }
  }

  /** A retry of a request already written answers what the first attempt answered. */
  private priorAnswer(claim: Claim, step: Step<unknown>, fromLog: () => Promise<unknown>): boolean {
    const inFlight = this.inFlight.get(claim.key);
    const prior = this.idempotency.get(claim.key);
    if (!prior && !inFlight) return false;
    if ((prior ?? inFlight)!.fingerprint !== claim.fingerprint) throw keyReused(claim);
    step.replay = prior?.answered ? Promise.resolve(prior.response) : inFlight?.answer ?? fromLog();
    return true;
  }

  /** A write that another process made and answered: answered here from its events, on the read models as they are now. */
  private async answerFromLog<R>(spec: CommandSpec<R>, now: Date, claim: Claim): Promise<R> {
    const written = this.idempotency.get(claim.key)?.written;
    if (!written) throw new StoreError('READ_TIMEOUT', 'the first attempt of this request is not readable here yet; retry');
    const events = await this.log.readStream(written.stream, written.firstRevision, written.lastRevision - written.firstRevision + 1);
    return this.answered(claim, spec.respond({ events: events.map(toNamespaceEvent) }, now));
  }

  private answered<R>(claim: Claim | undefined, response: R): R {
    if (claim) this.idempotency.recordAnswer(claim.key, response);
    return response;
  }

  private toEventData(decided: readonly NamespaceEvent[], meta: RequestMeta, now: Date, claim?: Claim): EventData[] {
    const metadata = { ...eventMetadata({ ...meta, now }), ...(claim && idempotencyMetadata(claim)) };
    const nowMs = now.getTime();
    return decided.map((e) => ({ id: newEventId(nowMs), type: e.type, data: e.data, metadata }));
  }

  private async catchUp(namespace: string, error: ReadModelsBehind | ConcurrencyError, deadline: number): Promise<void> {
    const revision = error instanceof ReadModelsBehind ? error.revision : error.actual;
    if (revision === 'no_stream') return;
    const reached = () => (this.states.readModelRevision(namespace) ?? -1) >= revision;
    if (!(await this.readModels.watch.until(reached, deadline - Date.now()))) {
      throw new StoreError('READ_TIMEOUT', `the read models did not catch up with namespace ${namespace} in time; nothing was written`, {
        namespace, revision,
      });
    }
  }

  private track(claim: Claim, answer: Promise<unknown>): void {
    const entry = { fingerprint: claim.fingerprint, answer };
    this.inFlight.set(claim.key, entry);
    const done = () => this.inFlight.get(claim.key) === entry && this.inFlight.delete(claim.key);
    answer.then(done, done);
  }

  private queued<R>(namespace: string, work: () => Promise<R>): Promise<R> {
    const result = (this.queues.get(namespace) ?? Promise.resolve()).then(work);
    const tail = result.catch(() => undefined);
    this.queues.set(namespace, tail);
    void tail.then(() => this.queues.get(namespace) === tail && this.queues.delete(namespace));
    return result;
  }
}

/** What one attempt's decision left behind for the code after the append. */
class Step<R> {
  answer?: { readonly result: Promise<R>; cancel(): void };
  replay?: Promise<unknown>;

  reset(): void {
    this.answer?.cancel();
    this.answer = undefined;
    this.replay = undefined;
  }
}

const projectionTimeout = () =>
  new StoreError('READ_TIMEOUT', 'the write was recorded, but the read models have not projected it in time');

/** A namespace stream holds namespace events only: anything else there is corruption. */
function toNamespaceEvent(recorded: RecordedEvent): RecordedNamespaceEvent {
  const event = decodeOnce(recorded) ?? requireStoreEvent(recorded);
  if (!isNamespaceEvent(event)) throw new StoreEventDecodeError(recorded, 'not an event of a namespace stream');
  return event;
}
