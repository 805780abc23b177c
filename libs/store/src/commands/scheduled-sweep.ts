import { Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Clock } from '../shared/clock';
import { ExpirySweeperOptions } from './expiry-sweeper.options';

/**
 * A sweep run at least every `intervalMs`, and at the next due time when that comes sooner; a
 * failed sweep is logged and retried. Stopping waits for the sweep in progress.
 */
export abstract class ScheduledSweep implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  protected constructor(private readonly what: string, protected readonly clock: Clock, private readonly options: ExpirySweeperOptions) {
    this.logger = new Logger(what);
  }

  /** Records everything due now; answers how many this call recorded. */
  abstract sweep(): Promise<number>;

  /** The next due time after `now` (ms), if any. */
  protected abstract nextDueAfter(now: number): number | undefined;

  onApplicationBootstrap(): void {
    if (this.options.enabled) this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
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
      this.logger.warn(`${this.what} failed, retrying: ${(error as Error)?.message ?? String(error)}`);
    }
    if (this.stopped) return;
    const now = this.clock.now().getTime();
    const next = this.nextDueAfter(now);
    this.schedule(Math.max(0, Math.min(this.options.intervalMs, next === undefined ? Infinity : next - now)));
  }
}
