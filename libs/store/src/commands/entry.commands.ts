import { formatPosition } from '@app/event-store';
import { Inject, Injectable } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../shared/clock';
import { StoreLimits } from '../shared/limits';
import { RequestMeta } from '../shared/request-meta';
import { appendedAt, handleCommand } from '../write-path/handle-command';
import { NamespaceWriter, WriteOutcome } from '../write-path/namespace-writer';
import { WriteOperation } from '../write-path/write-policy';
import { EntriesReadModel, EntryView } from '../read-models/entries/entries.read-model';
import { RecordedNamespaceEvent } from '../events/store-event';
import { DeleteOp, decideWrites, EntryOp, PutOp, WriteRules } from '../namespace/entry.decide';
import { NamespaceEvent, NamespaceState } from '../namespace/namespace';
import { StoreBackend } from '../runtime/store-backend';
import { VALUE_SCHEMAS } from '../value-schemas/value-schema-compiler';
import { SealedReads } from '../crypto/sealed-reads';

export const STORE_LIMITS = Symbol('StoreLimits');

export type EntryWriteResult = EntryView & { created: boolean; revision: number; position: string };
export interface DeleteResult { version: number; revision: number; position: string }
/**
 * One result per op, in op order. A delete says whether it deleted: a delete of an absent key is a
 * no-op inside a transaction (`deleted: false`, version 0). When no op wrote anything, `revision`
 * is the namespace's revision and `position` this service's read position: nothing was appended.
 */
export interface TransactionResult {
  revision: number;
  position: string;
  results: TransactionOpResult[];
}
export type TransactionOpResult =
  | { op: 'put'; key: string; version: number }
  | { op: 'delete'; key: string; version: number; deleted: boolean };

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
    /** Answers carry the entry: sealed as written (and kept so for Idempotency-Key retries), opened for the caller. */
    protected readonly sealed?: SealedReads,
  ) {}

  protected writeKey(
    namespace: string,
    key: string,
    meta: RequestMeta,
    spec: { operation: WriteOperation; input: unknown; withContent?: boolean; decide: (state: NamespaceState, rules: WriteRules) => NamespaceEvent[] },
  ): Promise<KeyWriteResult> {
    return this.opened(namespace, key, handleCommand(this.writer, this.clock, meta, {
      namespace,
      keys: [key],
      withContent: spec.withContent,
      operation: spec.operation,
      input: spec.input,
      decide: (state, now) => spec.decide(state, { now, limits: this.limits, valueSchemas: VALUE_SCHEMAS }),
      respond: ({ events }, now) => ({ ...this.entries.justWritten(namespace, key, now.getTime(), last(events).id)!, ...appendedAt(events) }),
    }));
  }

  protected async opened<R extends KeyWriteResult>(namespace: string, key: string, answer: Promise<R>): Promise<R> {
    return this.sealed ? this.sealed.open(namespace, key, await answer) : answer;
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
      decide: (state, now) => decideWrites(ops, state, { now, limits: this.limits, valueSchemas: VALUE_SCHEMAS }, asTransaction),
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
    return this.opened(namespace, op.key, this.write('put-entry', namespace, [op], meta, ({ events }, now) => ({
      ...this.entries.justWritten(namespace, op.key, now.getTime(), last(events).id)!,
      created: last(events).type === 'StoreEntryCreated',
      ...appendedAt(events),
    })));
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
  constructor(
    writer: NamespaceWriter,
    clock: Clock,
    @Inject(STORE_LIMITS) limits: StoreLimits,
    entries: EntriesReadModel,
    private readonly backend: StoreBackend,
    // Last, so that offline callers (the bench) may leave it out: transaction answers carry no values.
    sealed?: SealedReads,
  ) {
    super(writer, clock, limits, entries, sealed);
  }

  execute({ namespace, ops, meta }: CommitTransaction): Promise<TransactionResult> {
    return this.write('transaction', namespace, ops, meta, ({ events }) => {
      // Each key appears once; an expiry recorded on the way comes before the op's own event.
      const versions = new Map(events.flatMap((e) => ('key' in e.data ? [[e.data.key, e.data.version] as const] : [])));
      const results = ops.map((op): TransactionOpResult => {
        const version = versions.get(op.key);
        return op.op === 'put' ? { op: 'put', key: op.key, version: version! } : { op: 'delete', key: op.key, version: version ?? 0, deleted: version !== undefined };
      });
      return { ...(events.length > 0 ? appendedAt(events) : this.unchanged(namespace)), results };
    }, true);
  }

  /** Where a transaction that wrote nothing stands: the namespace's revision and the read position it was decided at or after. */
  private unchanged(namespace: string): { revision: number; position: string } {
    const { revision } = this.backend.namespaces.require(namespace);
    const [projector] = this.backend.projectors();
    return { revision, position: projector.position === 'start' ? '' : formatPosition(projector.position) };
  }
}

export const ENTRY_COMMAND_HANDLERS = [PutEntryHandler, DeleteEntryHandler, CommitTransactionHandler];
