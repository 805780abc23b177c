import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { StoreBackend } from '../runtime/store-backend';
import { Clock } from '../shared/clock';
import { ExpirySweeperOptions, SWEEPER_OPTIONS } from './expiry-sweeper.options';
import { ExpireLock } from './lock.commands';
import { ScheduledSweep } from './scheduled-sweep';

const BATCH = 100;
export const LOCK_SWEEPER_ACTOR = 'system:lock-sweeper';

/**
 * Records StoreLockExpired for leases that ran out. Every process sweeps; ExpireLock is decided on
 * the lock's state at the revision it appends at (under the embedded log's write lock, or with the
 * expected revision of a shared log), so an expiry is recorded once, and never after the holder renewed in between.
 */
@Injectable()
export class LockExpirySweeper extends ScheduledSweep {
  constructor(
    private readonly commands: CommandBus,
    private readonly backend: StoreBackend,
    clock: Clock,
    @Inject(SWEEPER_OPTIONS) options: ExpirySweeperOptions,
  ) {
    super('lock expiry sweep', clock, options);
  }

  async sweep(): Promise<number> {
    let recorded = 0;
    for (;;) {
      const due = this.backend.locks.expiredBy(this.clock.now().getTime(), BATCH);
      let progress = 0;
      for (const lock of due) {
        const id = randomUUID();
        progress += (await this.commands.execute(new ExpireLock(lock, { actor: LOCK_SWEEPER_ACTOR, correlationId: id, causationId: id }))).expired;
      }
      recorded += progress;
      if (due.length < BATCH || progress === 0) return recorded;
    }
  }

  protected nextDueAfter(now: number): number | undefined {
    return this.backend.locks.nextExpiryAfter(now);
  }
}
