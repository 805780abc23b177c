import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { KeyCommandHandler, KeyWriteResult } from './entry.commands';
import { Clock } from '../shared/clock';
import { RequestMeta } from '../shared/request-meta';
import { handleCommand } from '../write-path/handle-command';
import { NamespaceWriter } from '../write-path/namespace-writer';
import { decideExpiry, decideSetTtl, SetTtlOp } from '../namespace/ttl.decide';

/** SetTTL: a new expiry for a live entry (`ttlSeconds: null` clears it). */
export class SetTtl extends Command<KeyWriteResult> {
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
export class SetTtlHandler extends KeyCommandHandler implements ICommandHandler<SetTtl> {
  execute({ namespace, op, meta }: SetTtl): Promise<KeyWriteResult> {
    return this.writeKey(namespace, op.key, meta, { operation: 'set-ttl', input: op, decide: (state, rules) => decideSetTtl(op, state, rules) });
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
