import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DeleteResult, KeyCommandHandler, KeyWriteResult, versionOf } from './entry.commands';
import { RequestMeta } from '../shared/request-meta';
import { appendedAt, handleCommand } from '../write-path/handle-command';
import { decidePurge, decideRestore, KeyOp } from '../namespace/soft-delete.decide';

export class RestoreEntry extends Command<KeyWriteResult> {
  constructor(readonly namespace: string, readonly key: string, readonly meta: RequestMeta) {
    super();
  }
}

/** Makes a delete final (deleting first when the entry is live). */
export class PurgeEntry extends Command<DeleteResult> {
  constructor(readonly namespace: string, readonly op: KeyOp, readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(RestoreEntry)
export class RestoreEntryHandler extends KeyCommandHandler implements ICommandHandler<RestoreEntry> {
  execute({ namespace, key, meta }: RestoreEntry): Promise<KeyWriteResult> {
    return this.writeKey(namespace, key, meta, {
      operation: 'restore', input: { key }, withContent: true, decide: (state, rules) => decideRestore({ key }, state, rules),
    });
  }
}

@CommandHandler(PurgeEntry)
export class PurgeEntryHandler extends KeyCommandHandler implements ICommandHandler<PurgeEntry> {
  execute({ namespace, op, meta }: PurgeEntry): Promise<DeleteResult> {
    return handleCommand(this.writer, this.clock, meta, {
      namespace,
      keys: [op.key],
      operation: 'purge',
      input: op,
      decide: (state, now) => decidePurge(op, state, { now, limits: this.limits }),
      respond: ({ events }) => ({ version: versionOf(events[events.length - 1]), ...appendedAt(events) }),
    });
  }
}

export const SOFT_DELETE_COMMAND_HANDLERS = [RestoreEntryHandler, PurgeEntryHandler];
