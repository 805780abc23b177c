import { Inject, Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { EntriesReadModel } from '../read-models/entries/entries.read-model';
import { Clock } from '../shared/clock';
import { ExpirySweeperOptions, SWEEPER_OPTIONS } from './expiry-sweeper.options';
import { ScheduledSweep } from './scheduled-sweep';
import { ExpireEntries } from './ttl.commands';

export { ExpirySweeperOptions, SWEEPER_OPTIONS } from './expiry-sweeper.options';

const BATCH = 500;
export const SWEEPER_ACTOR = 'system:expiry-sweeper';

/**
 * Records expiries as StoreEntryExpired events. Reads already hide an expired entry by the clock;
 * the event makes it final for every process whatever its clock says. Several processes may sweep
 * one data file: ExpireEntries is decided under the write lock on fresh state, so each expiry is recorded once.
 */
@Injectable()
export class ExpirySweeper extends ScheduledSweep {
  constructor(
    private readonly commands: CommandBus,
    private readonly entries: EntriesReadModel,
    clock: Clock,
    @Inject(SWEEPER_OPTIONS) options: ExpirySweeperOptions,
  ) {
    super('expiry sweep', clock, options);
  }

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

  protected nextDueAfter(now: number): number | undefined {
    return this.entries.nextExpiryAfter(now);
  }
}
