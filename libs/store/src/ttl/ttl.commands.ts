import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EntriesReadModel, EntryView } from '../entries/entries.read-model';
import { STORE_LIMITS } from '../entries/entry.commands';
import { Clock } from '../shared/clock';
import { StoreLimits } from '../shared/limits';
import { RequestMeta } from '../shared/request-meta';
import { appendedAt, handleCommand } from '../write-path/handle-command';
import { NamespaceWriter } from '../write-path/namespace-writer';
import { decideExpiry, decideSetTtl, SetTtlOp } from './ttl.decide';

export type SetTtlResult = EntryView & { revision: number; position: string };

/** SetTTL: a new expiry for a live entry (`ttlSeconds: null` clears it). */
export class SetTtl extends Command<SetTtlResult> {
  constructor(readonly namespace: string, readonly op: SetTtlOp, readonly meta: RequestMeta) {
    super();
  }
}

/** The sweeper's command: record the expiry of these keys if it has passed. */
export class ExpireEntries extends Command<{ expired: number }> {
  constructor(readonly namespace: string, readonly keys: readonly string[], readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(SetTtl)
export class SetTtlHandler implements ICommandHandler<SetTtl> {
  constructor(
    private readonly writer: NamespaceWriter,
    private readonly clock: Clock,
    @Inject(STORE_LIMITS) private readonly limits: StoreLimits,
    private readonly entries: EntriesReadModel,
  ) {}

  execute({ namespace, op, meta }: SetTtl): Promise<SetTtlResult> {
    return handleCommand(this.writer, this.clock, meta, {
      namespace,
      keys: [op.key],
      operation: 'set-ttl',
      input: op,
      decide: (state, now) => decideSetTtl(op, state, { now, limits: this.limits }),
      respond: ({ events }, now) => ({ ...this.entries.get(namespace, op.key, now.getTime())!, ...appendedAt(events) }),
    });
  }
}

@CommandHandler(ExpireEntries)
export class ExpireEntriesHandler implements ICommandHandler<ExpireEntries> {
  constructor(private readonly writer: NamespaceWriter, private readonly clock: Clock) {}

  execute({ namespace, keys, meta }: ExpireEntries): Promise<{ expired: number }> {
    return handleCommand(this.writer, this.clock, meta, {
      namespace,
      keys,
      operation: 'expire',
      input: keys,
      decide: (state, now) => decideExpiry(keys, state, now),
      respond: ({ events }) => ({ expired: events.length }),
    });
  }
}

export const TTL_COMMAND_HANDLERS = [SetTtlHandler, ExpireEntriesHandler];
