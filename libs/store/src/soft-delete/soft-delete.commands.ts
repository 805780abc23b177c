import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { EntriesReadModel, EntryView } from '../entries/entries.read-model';
import { EntryVersionData } from '../entries/entry';
import { DeleteResult, STORE_LIMITS } from '../entries/entry.commands';
import { Clock } from '../shared/clock';
import { StoreLimits } from '../shared/limits';
import { RequestMeta } from '../shared/request-meta';
import { appendedAt, handleCommand } from '../write-path/handle-command';
import { NamespaceWriter } from '../write-path/namespace-writer';
import { decidePurge, decideRestore, KeyOp } from './soft-delete.decide';

export type RestoreResult = EntryView & { revision: number; position: string };

export class RestoreEntry extends Command<RestoreResult> {
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
export class RestoreEntryHandler implements ICommandHandler<RestoreEntry> {
  constructor(
    private readonly writer: NamespaceWriter,
    private readonly clock: Clock,
    @Inject(STORE_LIMITS) private readonly limits: StoreLimits,
    private readonly entries: EntriesReadModel,
  ) {}

  execute({ namespace, key, meta }: RestoreEntry): Promise<RestoreResult> {
    return handleCommand(this.writer, this.clock, meta, {
      namespace,
      keys: [key],
      withContent: true,
      operation: 'restore',
      input: { key },
      decide: (state, now) => decideRestore({ key }, state, { now, limits: this.limits }),
      respond: ({ events }, now) => ({ ...this.entries.get(namespace, key, now.getTime())!, ...appendedAt(events) }),
    });
  }
}

@CommandHandler(PurgeEntry)
export class PurgeEntryHandler implements ICommandHandler<PurgeEntry> {
  constructor(
    private readonly writer: NamespaceWriter,
    private readonly clock: Clock,
    @Inject(STORE_LIMITS) private readonly limits: StoreLimits,
  ) {}

  execute({ namespace, op, meta }: PurgeEntry): Promise<DeleteResult> {
    return handleCommand(this.writer, this.clock, meta, {
      namespace,
      keys: [op.key],
      operation: 'purge',
      input: op,
      decide: (state, now) => decidePurge(op, state, { now, limits: this.limits }),
      respond: ({ events }) => ({ version: (events[events.length - 1].data as EntryVersionData).version, ...appendedAt(events) }),
    });
  }
}

export const SOFT_DELETE_COMMAND_HANDLERS = [RestoreEntryHandler, PurgeEntryHandler];
