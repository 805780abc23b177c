import { ConcurrencyError, EventData, EventStore, ReadModelHost } from '@app/event-store';
import { lockAfter } from '../lock/lock.decide';
import { initialLockState, LockEvent, LockState, lockStream } from '../lock/lock';
import { LocksReadModel } from '../read-models/locks/locks.read-model';
import { StoreError } from '../shared/errors';
import { newEventId } from '../shared/event-id';
import { RequestMeta } from '../shared/request-meta';
import { eventMetadata } from '../shared/store-events';

/** One command on one lock: its rules and its answer. */
export interface LockCommandSpec<R> {
  readonly lock: string;
  decide(state: LockState, now: Date): LockEvent[];
  /** The answer from the lock's state after the write (the state decided on when nothing was written). */
  respond(after: LockState, events: readonly LockEvent[]): R;
}

/** The lock's stream moved on past the read models: wait for them and decide again. */
export class LockStateBehind extends Error {
  constructor(readonly lock: string, readonly revision: number) {
    super(`the read models of lock ${lock} have not reached revision ${revision}`);
  }
}

/**
 * The write path of a lock stream, the namespace writer's shape on a stream of its own: load the
 * lock's state at the revision the log decides at (from the locks read model, used only when it is
 * at exactly that revision) → decide → append with that revision → wait until projected → answer.
 * On the embedded log the decision is made under its write lock, so two processes on one data
 * file cannot both grant a lock, nor both record its expiry; on a shared log the append's expected
 * revision does the same (the loser decides again on the new state).
 */
export class LockWriter {
  constructor(
    private readonly log: EventStore,
    private readonly readModels: ReadModelHost,
    private readonly locks: LocksReadModel,
    private readonly timeoutMs: number,
    private readonly assertWritable: () => void,
  ) {}

  /**
   * `clock` is read when the decision is made (under the embedded log's write lock), not when the
   * call arrived: a lease is judged, and its event stamped, at the moment the log decides.
   */
  async write<R>(meta: RequestMeta, clock: () => Date, spec: LockCommandSpec<R>): Promise<R> {
    this.assertWritable();
    const deadline = Date.now() + this.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      let decided: { after: LockState; events: LockEvent[] } | undefined;
      let projected: { readonly result: Promise<unknown>; cancel(): void } | undefined;
      try {
        const appended = await this.log.appendDecided(lockStream(spec.lock), (revision) => {
          projected?.cancel();
          const before = this.stateAt(spec.lock, revision);
          const now = clock();
          const events = spec.decide(before, now);
          decided = { after: lockAfter(before, events), events };
          if (events.length === 0) return [];
          const data = this.toEventData(events, meta, now);
          projected = this.readModels.watch.expect(
            data.map((e) => e.id), () => undefined, this.readModels.inline ? Infinity : deadline - Date.now(),
            () => new StoreError('READ_TIMEOUT', 'the lock change was recorded, but the read models have not projected it in time'),
          );
          return data;
        });
        if (appended) await projected!.result;
        return spec.respond(decided!.after, decided!.events);
      } catch (error) {
        projected?.cancel();
        if (attempt >= 8 || !(error instanceof LockStateBehind || error instanceof ConcurrencyError)) throw error;
        const revision = error instanceof LockStateBehind ? error.revision : error.actual;
        if (revision === 'no_stream') continue;
        const reached = await this.readModels.watch.until(() => (this.locks.state(spec.lock).revision ?? -1) >= revision, deadline - Date.now());
        if (!reached) throw new StoreError('READ_TIMEOUT', `the read models did not catch up with lock ${spec.lock} in time; nothing was written`);
      }
    }
  }

  private stateAt(lock: string, revision: number | undefined): LockState {
    if (revision === undefined) return initialLockState(lock);
    const state = this.locks.state(lock);
    if (state.revision !== revision) throw new LockStateBehind(lock, revision);
    return state;
  }

  private toEventData(events: readonly LockEvent[], meta: RequestMeta, now: Date): EventData[] {
    const metadata = eventMetadata({ ...meta, now });
    return events.map((e) => ({ id: newEventId(now.getTime()), type: e.type, data: e.data, metadata }));
  }
}
