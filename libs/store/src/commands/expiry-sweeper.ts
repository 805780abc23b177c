import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { EntriesReadModel } from '../read-models/entries/entries.read-model';
import { Clock } from '../shared/clock';
import { ExpireEntries } from './ttl.commands';

export const SWEEPER_OPTIONS = Symbol('ExpirySweeperOptions');

export interface ExpirySweeperOptions {
  /** Off in tests that call `sweep()` themselves. */
  readonly enabled: boolean;
  /** Longest wait between two sweeps. */
  readonly intervalMs: number;
}

const BATCH = 500;
export const SWEEPER_ACTOR = 'system:expiry-sweeper';

/**
 * Records expiries as StoreEntryExpired events: at least every `intervalMs`, and at the next
 * expiry when that comes sooner. Reads already hide an expired entry by the clock; the event makes
 * it final for every process whatever its clock says. Several processes may sweep one data file:
 * ExpireEntries is decided under the write lock on fresh state, so each expiry is recorded once.
 */
@Injectable()
export class ExpirySweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ExpirySweeper');
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly commands: CommandBus,
    private readonly entries: EntriesReadModel,
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

  /** Records every expiry that is due now; answers how many this call recorded. */
  async sweep(): Promise<number> {
    let recorded = 0;
    for (;;) {
      const due = this.entries.expiredBy(this.clock.now().getTime(), BATCH);
      const byNamespace = new Map<string, string[]>();
      for (const { namespace, key } of due) byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), key]);
      let progress = 0;
      for (const [namespace, keys] of byNamespace) {
        const id = randomUUID();
        const meta = { actor: SWEEPER_ACTOR, correlationId: id, causationId: id };
        progress += (await this.commands.execute(new ExpireEntries(namespace, keys, meta))).expired;
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
      this.logger.warn(`expiry sweep failed, retrying: ${(error as Error)?.message ?? String(error)}`);
    }
    if (this.stopped) return;
    const now = this.clock.now().getTime();
    const next = this.entries.nextExpiryAfter(now);
    this.schedule(Math.max(0, Math.min(this.options.intervalMs, next === undefined ? Infinity : next - now)));
  }
}
