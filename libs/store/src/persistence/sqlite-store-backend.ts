import { RebuildProgress, SqliteEventStore, SqliteProjector, SyncEventSource } from '@app/event-store';
import { join } from 'node:path';
import { RestoreRequest } from '../backup/backup';
import { restoreIntoSqlite } from '../backup/sqlite-restore';
import { entriesProjection, EntriesReadModel } from '../entries/entries.read-model';
import { IdempotencyRecords } from '../idempotency/idempotency';
import { namespacesProjection, NamespacesReadModel } from '../namespaces/namespaces.read-model';
import { SqliteNamespaceWriter } from '../write-path/sqlite-namespace-writer';
import { StoreBackend } from './store-backend';

export const DATA_FILE = 'hexastore.db';

// Order matters: namespaces reads an entry's previous size before entries overwrites it.
const PROJECTIONS = [namespacesProjection, entriesProjection];

/**
 * The embedded backend: log, read models and idempotency records in one SQLite file. Read models
 * are projected inside each append's transaction, so a write is readable once acknowledged, and
 * several processes sharing the file stay consistent without any coordination of their own.
 */
export class SqliteStoreBackend extends StoreBackend {
  readonly name = 'sqlite';
  readonly eventStore: SqliteEventStore;
  readonly projector: SqliteProjector;
  readonly entries: EntriesReadModel;
  readonly namespaces: NamespacesReadModel;
  readonly writer: SqliteNamespaceWriter;
  readonly scratchDir: string;
  private readonly source: SyncEventSource;

  constructor(dataDir: string, onCatchUp?: RebuildProgress) {
    super();
    this.scratchDir = dataDir;
    const store = (this.eventStore = new SqliteEventStore({ file: join(dataDir, DATA_FILE) }));
    this.source = (after, max) => store.readAllSync(after === 'start' ? 0 : Number(after.commit), max);
    this.projector = new SqliteProjector(store.db, PROJECTIONS, () => store.incarnation);
    this.projector.catchUp(this.source, onCatchUp, store.headSync());
    store.onAppendedInline((events) => this.projectInline(events));
    this.entries = new EntriesReadModel(store.db);
    this.namespaces = new NamespacesReadModel(store.db);
    this.writer = new SqliteNamespaceWriter(store, this.projector, this.entries, this.namespaces, new IdempotencyRecords(store.db));
  }

  async rebuild(onProgress?: RebuildProgress): Promise<number> {
    return this.projector.rebuild(this.source, onProgress, this.eventStore.headSync());
  }

  restore<R>(request: RestoreRequest<R>): Promise<R> {
    return restoreIntoSqlite(this.eventStore, request);
  }

  unready(): string | undefined {
    return this.eventStore.isOpen ? undefined : 'the data file is closed';
  }

  describe(): Record<string, unknown> {
    if (!this.eventStore.isOpen) return {};
    const db = this.eventStore.db;
    const checkpoint = this.projector.checkpoint();
    return {
      synchronous: db.pragma('synchronous', { simple: true }),
      journalMode: db.pragma('journal_mode', { simple: true }),
      head: this.eventStore.headSync(),
      projected: checkpoint === 'start' ? 0 : Number(checkpoint.commit),
    };
  }

  close(): Promise<void> {
    return this.eventStore.close();
  }

  /** Applies what was just appended, after anything older the read models have not seen yet. */
  private projectInline(events: Parameters<SqliteProjector['applyInTransaction']>[0]): void {
    const checkpoint = this.projector.checkpoint();
    const next = checkpoint === 'start' ? 1n : checkpoint.commit + 1n;
    if (events[0].position.commit === next) this.projector.applyInTransaction(events);
    else this.projector.catchUp(this.source);
  }
}
