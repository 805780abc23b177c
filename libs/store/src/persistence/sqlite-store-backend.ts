import {
  BackendUnavailableError, Position, ProjectionWatch, RebuildProgress, SqliteEventStore, SqliteProjector, SyncEventSource,
} from '@app/event-store';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RestoreRequest } from '../backup/backup';
import { restoreIntoSqlite } from '../backup/sqlite-restore';
import { IdempotencyRecords } from '../idempotency/idempotency';
import { SqliteNamespaceWriter } from '../write-path/sqlite-namespace-writer';
import { openReadModels, ReadModels, STORE_PROJECTIONS } from './read-models';
import { ProjectorStatus, StoreBackend } from './store-backend';

export const DATA_FILE = 'hexastore.db';

/** How often a read waiting for a position looks again: another process sharing the file may project it. */
const POLL_MS = 20;
const CLOSED = 'the data file is closed';

/**
 * The embedded backend: log, read models and idempotency records in one SQLite file. Read models
 * are projected inside each append's transaction, so a write is readable once acknowledged, and
 * several processes sharing the file stay consistent without any coordination of their own.
 */
export class SqliteStoreBackend extends StoreBackend {
  readonly name = 'sqlite';
  readonly eventStore: SqliteEventStore;
  readonly projector: SqliteProjector;
  protected readonly readModels: ReadModels;
  readonly writer: SqliteNamespaceWriter;
  readonly scratchDir: string;
  private readonly source: SyncEventSource;
  private readonly watch = new ProjectionWatch(POLL_MS);

  constructor(dataDir: string, onCatchUp?: RebuildProgress) {
    super();
    this.scratchDir = dataDir;
    const store = (this.eventStore = new SqliteEventStore({ file: join(dataDir, DATA_FILE) }));
    this.source = (after, max) => store.readAllSync(after === 'start' ? 0 : Number(after.commit), max);
    this.projector = new SqliteProjector(store.db, STORE_PROJECTIONS, () => store.incarnation);
    this.projector.catchUp(this.source, onCatchUp, store.headSync());
    store.onAppendedInline((events) => this.projectInline(events));
    this.readModels = openReadModels(store.db, store);
    this.writer = new SqliteNamespaceWriter(store, this.projector, this.entries, this.namespaces, new IdempotencyRecords(store.db));
  }

  async rebuild(onProgress?: RebuildProgress): Promise<number> {
    return this.projector.rebuild(this.source, onProgress, this.eventStore.headSync());
  }

  projectors(): ProjectorStatus[] {
    return [{ id: `read-models@${hostname()}:${process.pid}`, position: this.projector.checkpoint() }];
  }

  restore<R>(request: RestoreRequest<R>): Promise<R> {
    return restoreIntoSqlite(this.eventStore, request);
  }

  unready(): string | undefined {
    return this.eventStore.isOpen ? undefined : CLOSED;
  }

  assertReadable(): void {
    if (!this.eventStore.isOpen) throw new BackendUnavailableError(CLOSED);
  }

  projected(position: Position, timeoutMs: number): Promise<boolean> {
    return this.watch.until(() => this.projector.includes(position), timeoutMs);
  }

  describe(): Record<string, unknown> {
    if (!this.eventStore.isOpen) return {};
    const db = this.eventStore.db;
    const checkpoint = this.projector.checkpoint();
    const head = this.eventStore.headSync();
    const projected = checkpoint === 'start' ? 0 : Number(checkpoint.commit);
    return {
      synchronous: db.pragma('synchronous', { simple: true }),
      journalMode: db.pragma('journal_mode', { simple: true }),
      head,
      projected,
      lag: head - projected,
    };
  }

  close(): Promise<void> {
    return this.eventStore.close();
  }

  /** Applies what was just appended, after anything older the read models have not seen yet. */
  private projectInline(events: Parameters<SqliteProjector['applyInTransaction']>[0]): void {
    const checkpoint = this.projector.checkpoint();
    const next = checkpoint === 'start' ? 1n : checkpoint.commit + 1n;
    if (events[0].position.commit === next) this.projector.applyInTransaction(events, { checkpoint });
    else this.projector.catchUp(this.source);
  }
}
