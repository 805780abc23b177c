import { EventStore, ReadModelHost } from '@app/event-store';
import { lockStream, namespaceLock } from '../lock/lock';
import { checkWriteAgainstLocks } from '../lock/write-check';
import { LocksReadModel } from '../read-models/locks/locks.read-model';
import { StoreError } from '../shared/errors';
import { RequestMeta } from '../shared/request-meta';
import { WriteAccess } from './write-policy';

/** A step of the write path that checks a write against state outside its namespace. */
export interface WriteGuard {
  /** Before the decision: brings what `check` reads up to the log; a promise only when it has to wait. */
  prepare(meta: RequestMeta, access: WriteAccess): Promise<void> | undefined;
  /** Inside the decision, at the revision decided at: throws a StoreError to refuse. */
  check(meta: RequestMeta, access: WriteAccess, now: Date): void;
}

export const noWriteGuard: WriteGuard = { prepare: () => undefined, check: () => undefined };

/** The store's own upkeep, which a freeze does not stop: expiries and the config file. */
const UPKEEP = new Set(['expire', 'configure-namespace', 'configure-dependencies']);

/**
 * Freeze (423 LOCKED) and fencing (409 FENCED), checked inside the decision on the locks read
 * model. The embedded log projects it in every append's transaction and decides under its write
 * lock, so the check and the write are one atomic step, across processes on one data file too.
 * A replica of a shared log first waits until its read model has the locks' streams as the log holds them.
 */
export class LockWriteGuard implements WriteGuard {
  constructor(
    private readonly log: EventStore,
    private readonly readModels: ReadModelHost,
    private readonly locks: LocksReadModel,
    private readonly timeoutMs: number,
  ) {}

  prepare(meta: RequestMeta, access: WriteAccess): Promise<void> | undefined {
    if (this.readModels.inline || UPKEEP.has(access.operation)) return undefined;
    return this.catchUp(meta, access);
  }

  private async catchUp(meta: RequestMeta, access: WriteAccess): Promise<void> {
    for (const lock of [namespaceLock(access.namespace), ...(meta.fencing ? [meta.fencing.lock] : [])]) {
      const revision = await this.log.streamRevision(lockStream(lock));
      if (revision === undefined) continue;
      const reached = await this.readModels.watch.until(() => (this.locks.state(lock).revision ?? -1) >= revision, this.timeoutMs);
      if (!reached) throw new StoreError('READ_TIMEOUT', `the read models did not catch up with lock ${lock} in time; nothing was written`);
    }
  }

  check(meta: RequestMeta, access: WriteAccess, now: Date): void {
    if (UPKEEP.has(access.operation)) return;
    const fence = meta.fencing && this.locks.state(meta.fencing.lock);
    checkWriteAgainstLocks(access.namespace, this.locks.state(namespaceLock(access.namespace)), fence, meta, now);
  }
}
