import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { StoreBackend } from '../runtime/store-backend';
import { Clock } from '../shared/clock';
import { ExpirySweeperOptions, SWEEPER_OPTIONS } from './expiry-sweeper';
import { ExpireLock } from './lock.commands';

const BATCH = 100;
export const LOCK_SWEEPER_ACTOR = 'system:lock-sweeper';

/**
 * Records StoreLockExpired for leases that ran out: at least every `intervalMs`, and at the next
 * expiry when that comes sooner. Every process sweeps; ExpireLock is decided on the lock's state at
 * the revision it appends at (under the embedded log's write lock, or with the expected revision of
 * a shared log), so an expiry is recorded once, and never after the holder renewed in between.
 */
@Injectable()
export class LockExpirySweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('LockExpirySweeper');
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly commands: CommandBus,
    private readonly backend: StoreBackend,
    private readonly clock: Clock,
    @Inject(SWEEPER_OPTIONS) private readonly options: ExpirySweeperOptions,
  ) {}

  onApplicationBootstrap(): void {
    if (this.options.enabled) this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Records every lock expiry due now; answers how many this call recorded. */
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

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick();
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    try {
      await this.sweep();
    } catch (error) {
      this.logger.warn(`lock expiry sweep failed, retrying: ${(error as Error)?.message ?? String(error)}`);
    }
    if (this.stopped) return;
    const now = this.clock.now().getTime();
    const next = this.backend.locks.nextExpiryAfter(now);
    this.schedule(Math.max(0, Math.min(this.options.intervalMs, next === undefined ? Infinity : next - now)));
  }
}
