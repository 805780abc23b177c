import { ConcurrencyError, SqliteEventStore, SqliteProjector, SqliteTransaction } from '@app/event-store';
import { EntriesReadModel } from '../entries/entries.read-model';
import { IdempotencyRecords } from '../idempotency/idempotency';
import { NamespacesReadModel } from '../namespaces/namespaces.read-model';
import { newEventId } from '../shared/event-id';
import { eventMetadata, namespaceStream } from '../shared/store-events';
import { loadNamespaceState } from './load-state';
import { NamespaceWriter, WriteRequest } from './namespace-writer';

const ATTEMPTS = 3;

/**
 * The embedded write path: every write is decided and appended inside a group-commit transaction
 * that holds SQLite's write lock, on state read from read models projected in that same
 * transaction. No other writer, in this process or another, can come in between, so a decision
 * is never made on stale state; a lagging read model is caught up and the decision retried.
 */
export class SqliteNamespaceWriter extends NamespaceWriter {
  constructor(
    private readonly store: SqliteEventStore,
    private readonly projector: SqliteProjector,
    private readonly entries: EntriesReadModel,
    private readonly namespaces: NamespacesReadModel,
    private readonly idempotency: IdempotencyRecords,
  ) {
    super();
  }

  async write<R>(request: WriteRequest<R>): Promise<R> {
    const early = request.idempotency && this.idempotency.replay<R>(request.idempotency);
    if (early !== undefined) return early;
    return this.store.transact((tx) => {
      const prior = request.idempotency && this.idempotency.replay<R>(request.idempotency);
      if (prior !== undefined) return prior;
      const response = this.decideAndAppend(tx, request);
      if (request.idempotency) this.idempotency.record(request.idempotency, response, request.context.now.getTime());
      return response;
    });
  }

  private decideAndAppend<R>(tx: SqliteTransaction, request: WriteRequest<R>): R {
    for (let attempt = 1; ; attempt++) {
      const before = loadNamespaceState(this.namespaces, this.entries, request);
      const decided = request.decide(before);
      if (decided.length === 0) return request.respond({ events: [], before });
      const metadata = eventMetadata(request.context);
      const nowMs = request.context.now.getTime();
      const events = decided.map((e) => ({ id: newEventId(nowMs), type: e.type, data: e.data, metadata }));
      try {
        const { recorded } = tx.append(namespaceStream(request.namespace), events, before.revision ?? 'no_stream');
        return request.respond({ events: recorded, before });
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt === ATTEMPTS) throw error;
        this.projector.catchUp((after, max) => this.store.readAllSync(after === 'start' ? 0 : Number(after.commit), max));
      }
    }
  }
}
