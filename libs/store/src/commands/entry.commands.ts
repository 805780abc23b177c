import { Inject, Injectable } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../shared/clock';
import { StoreLimits } from '../shared/limits';
import { RequestMeta } from '../shared/request-meta';
import { appendedAt, handleCommand } from '../write-path/handle-command';
import { NamespaceWriter, WriteOutcome } from '../write-path/namespace-writer';
import { EntriesReadModel, EntryView } from '../read-models/entries/entries.read-model';
import { RecordedNamespaceEvent } from '../events/store-event';
import { DeleteOp, decideWrites, EntryOp, PutOp, WriteRules } from '../namespace/entry.decide';
import { NamespaceEvent, NamespaceState } from '../namespace/namespace';

export const STORE_LIMITS = Symbol('StoreLimits');

export type EntryWriteResult = EntryView & { created: boolean; revision: number; position: string };
export interface DeleteResult { version: number; revision: number; position: string }
export interface TransactionResult {
  revision: number;
  position: string;
  results: { op: EntryOp['op']; key: string; version: number }[];
}

export class PutEntry extends Command<EntryWriteResult> {
  constructor(readonly namespace: string, readonly op: PutOp, readonly meta: RequestMeta) {
    super();
  }
}

export class DeleteEntry extends Command<DeleteResult> {
  constructor(readonly namespace: string, readonly op: DeleteOp, readonly meta: RequestMeta) {
    super();
  }
}

export class CommitTransaction extends Command<TransactionResult> {
  constructor(readonly namespace: string, readonly ops: readonly EntryOp[], readonly meta: RequestMeta) {
    super();
  }
}

export type KeyWriteResult = EntryView & { revision: number; position: string };

/** Base of the entry command handlers; one-key commands answer with the entry as reads now see it. */
@Injectable()
export abstract class KeyCommandHandler {
  constructor(
    protected readonly writer: NamespaceWriter,
    protected readonly clock: Clock,
    @Inject(STORE_LIMITS) protected readonly limits: StoreLimits,
    protected readonly entries: EntriesReadModel,
  ) {}

  protected writeKey(
    namespace: string,
    key: string,
    meta: RequestMeta,
    spec: { operation: string; input: unknown; withContent?: boolean; decide: (state: NamespaceState, rules: WriteRules) => NamespaceEvent[] },
  ): Promise<KeyWriteResult> {
    return handleCommand(this.writer, this.clock, meta, {
      namespace,
      keys: [key],
      withContent: spec.withContent,
      operation: spec.operation,
      input: spec.input,
      decide: (state, now) => spec.decide(state, { now, limits: this.limits }),
      respond: ({ events }, now) => ({ ...this.entries.justWritten(namespace, key, now.getTime(), last(events).id)!, ...appendedAt(events) }),
    });
  }
}

abstract class EntryCommandHandler extends KeyCommandHandler {

  protected write<R>(
    operation: 'put-entry' | 'delete-entry' | 'transaction',
    namespace: string,
    ops: readonly EntryOp[],
    meta: RequestMeta,
    respond: (o: WriteOutcome, now: Date) => R,
    asTransaction = false,
  ) {
    return handleCommand(this.writer, this.clock, meta, {
      namespace,
      keys: ops.map((op) => op.key),
      operation,
      input: ops.map((op) => (op.op === 'put' ? { ...op, value: Buffer.from(op.value).toString('base64') } : op)),
      decide: (state, now) => decideWrites(ops, state, { now, limits: this.limits }, asTransaction),
      respond,
    });
  }
}

const last = <T>(items: readonly T[]) => items[items.length - 1];

/** The version an entry event leaves its key at. */
export function versionOf(event: RecordedNamespaceEvent): number {
  if (!('version' in event.data)) throw new Error(`${event.type} is not an event of an entry`);
  return event.data.version;
}

@CommandHandler(PutEntry)
export class PutEntryHandler extends EntryCommandHandler implements ICommandHandler<PutEntry> {
  execute({ namespace, op, meta }: PutEntry): Promise<EntryWriteResult> {
    return this.write('put-entry', namespace, [op], meta, ({ events }, now) => ({
      ...this.entries.justWritten(namespace, op.key, now.getTime(), last(events).id)!,
      created: last(events).type === 'StoreEntryCreated',
      ...appendedAt(events),
    }));
  }
}

@CommandHandler(DeleteEntry)
export class DeleteEntryHandler extends EntryCommandHandler implements ICommandHandler<DeleteEntry> {
  execute({ namespace, op, meta }: DeleteEntry): Promise<DeleteResult> {
    return this.write('delete-entry', namespace, [op], meta, ({ events }) => ({ version: versionOf(last(events)), ...appendedAt(events) }));
  }
}

@CommandHandler(CommitTransaction)
export class CommitTransactionHandler extends EntryCommandHandler implements ICommandHandler<CommitTransaction> {
  execute({ namespace, ops, meta }: CommitTransaction): Promise<TransactionResult> {
    return this.write('transaction', namespace, ops, meta, ({ events }) => {
      // Each key appears once; an expiry recorded on the way comes before the op's own event.
      const versions = new Map(events.flatMap((e) => ('key' in e.data ? [[e.data.key, e.data.version] as const] : [])));
      return {
        ...appendedAt(events),
        results: ops.map((op) => ({ op: op.op, key: op.key, version: versions.get(op.key)! })),
      };
    }, true);
  }
}

export const ENTRY_COMMAND_HANDLERS = [PutEntryHandler, DeleteEntryHandler, CommitTransactionHandler];
