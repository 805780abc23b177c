import { Database as Db, Statement } from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { ConcurrencyError, CorruptEventError, DuplicateEventIdError, StalePositionError } from '../errors';
import {
  AppendResult, Decide, EventData, EventStore, ExpectedRevision, ReadAllOptions, RecordedEvent, SubscribeOptions,
} from '../event-store.port';
import { ImportedEvent, LogImport, LogImporter } from '../log-import';
import { Projection } from '../projector/projection';
import { RebuildProgress, SyncEventSource } from '../projector/sqlite-projector';
import { ImportTarget, importInto } from './sqlite-import';
import { SqliteInlineReadModels } from './sqlite-inline-read-models';
import { formatPosition, Position, position } from '../position';
import { pollingSubscription } from '../subscription';
import { GroupCommitter } from './group-commit';
import { openDataFile } from './sqlite-data-file';
import { eventChecksum, EventRow } from './sqlite-schema';
import { isUniqueViolation } from './sqlite-errors';

export interface SqliteEventStoreOptions {
  /** Path of the data file, or ':memory:'. */
  readonly file: string;
  readonly busyTimeoutMs?: number;
  /** `PRAGMA max_page_count`: a small value makes the disk "full" (a testing aid). */
  readonly maxPageCount?: number;
  /** How often a live subscription looks for events appended by other processes. */
  readonly pollIntervalMs?: number;
  /** Read models to keep in the same file, projected inside each append's transaction. */
  readonly readModels?: { readonly projections: readonly Projection[]; readonly onCatchUp?: RebuildProgress };
}

interface RecordedAppend extends AppendResult {
  readonly recorded: readonly RecordedEvent[];
}

export class SqliteEventStore implements EventStore, LogImporter {
  /** Internal to the adapter and its tests. */
  readonly db: Db;
  readonly committer: GroupCommitter;
  /** The read models kept in this file, when asked for. */
  readonly readModels?: SqliteInlineReadModels;
  private readonly waiters = new Set<() => void>();
  private readonly pollIntervalMs: number;
  private readonly stmt: Record<
    'revision' | 'insert' | 'byId' | 'stream' | 'all' | 'allPrefix' | 'head' | 'incarnation', Statement
  >;
  private closed = false;
  private currentIncarnation: string;

  constructor(options: SqliteEventStoreOptions) {
    // Refuses a file that is not ours, empty or damaged; adopts one of an earlier version.
    this.db = openDataFile(options.file, options.busyTimeoutMs ?? 5000);
    if (options.maxPageCount !== undefined) this.db.pragma(`max_page_count = ${Math.floor(options.maxPageCount)}`);
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.currentIncarnation = this.loadIncarnation();
    this.stmt = {
      revision: this.db.prepare('SELECT max(revision) AS r FROM events WHERE stream = ?'),
      insert: this.db.prepare(
        `INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at, checksum)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      byId: this.db.prepare('SELECT stream, revision, position FROM events WHERE id = ?'),
      stream: this.db.prepare(
        'SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision LIMIT ?',
      ),
      all: this.db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?'),
      allPrefix: this.db.prepare(
        `SELECT * FROM events WHERE position > ? AND substr(stream, 1, ?) = ? ORDER BY position LIMIT ?`,
      ),
      head: this.db.prepare('SELECT max(position) AS p FROM events'),
      incarnation: this.db.prepare("SELECT value FROM store_meta WHERE key = 'incarnation'"),
    };
    if (options.readModels) {
      const source: SyncEventSource = (after, max) => this.readAllSync(after === 'start' ? 0 : Number(after.commit), max);
      this.readModels = new SqliteInlineReadModels(
        this.db, options.readModels.projections, () => this.incarnation, source, () => this.headSync(), () => this.isOpen,
        options.readModels.onCatchUp,
      );
    }
    const readModels = this.readModels;
    const afterCommit = () => {
      this.wake();
      readModels?.watch.notify();
    };
    this.committer = new GroupCommitter(this.db, afterCommit, {
      // Once per transaction: under the write lock no other process can renew the incarnation meanwhile.
      begin: () => {
        this.refreshIncarnation();
        readModels?.begin();
      },
      beforeCommit: () => readModels?.beforeCommit(),
      rolledBack: () => readModels?.rolledBack(),
      pieceStarts: () => readModels?.pieceStarts(),
      pieceUndone: () => readModels?.pieceUndone(),
    });
  }

  get incarnation(): string {
    return this.currentIncarnation;
  }

  /**
   * Re-reads the incarnation from the file: another process sharing it may have restored it, or a
   * transaction that renewed it may have failed. Done at the start of every write transaction and before every log read.
   */
  refreshIncarnation(): void {
    this.currentIncarnation = (this.stmt.incarnation.get() as { value: string }).value;
  }

  /** Runs work in the next group-commit transaction; resolves once it is durable. */
  transact<T>(work: () => T): Promise<T> {
    this.assertOpen();
    return this.committer.run(work);
  }

  append(stream: string, events: readonly EventData[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.transact(() => {
      const { revision, position } = this.appendNow(stream, events, expected);
      return { revision, position };
    });
  }

  /** Decides under SQLite's write lock, inside the group commit: no other writer can come in between. */
  appendDecided(stream: string, decide: Decide): Promise<AppendResult | undefined> {
    return this.transact(() => {
      const revision = this.currentRevision(stream);
      const events = decide(revision);
      if (events.length === 0) return undefined;
      // Fresh ids of a fresh decision: no earlier append to answer, a known id fails on the unique index.
      const { position, revision: last } = this.appendNow(stream, events, revision ?? 'no_stream', false);
      return { position, revision: last };
    });
  }

  importLog<R>(plan: LogImport<R>): Promise<R> {
    return importInto(this.importTarget, plan);
  }

  async readStream(stream: string, fromRevision = 0, maxCount = Number.MAX_SAFE_INTEGER): Promise<RecordedEvent[]> {
    return this.readStreamSync(stream, fromRevision, maxCount);
  }

  readStreamSync(stream: string, fromRevision = 0, maxCount = Number.MAX_SAFE_INTEGER): RecordedEvent[] {
    return (this.stmt.stream.all(stream, fromRevision, maxCount) as EventRow[]).map((r) => this.toRecorded(r));
  }

  /** Where an event id is recorded, if it is. */
  findEventSync(id: string): { stream: string; revision: number; position: number } | undefined {
    return this.stmt.byId.get(id) as { stream: string; revision: number; position: number } | undefined;
  }

  async streamRevision(stream: string): Promise<number | undefined> {
    return this.currentRevision(stream);
  }

  async readAll({ after, maxCount, streamPrefix }: ReadAllOptions): Promise<RecordedEvent[]> {
    this.refreshIncarnation();
    if (after !== 'start' && after.incarnation !== this.incarnation) {
      throw new StalePositionError(formatPosition(after), this.incarnation);
    }
    return this.readAllSync(after === 'start' ? 0 : Number(after.commit), maxCount, streamPrefix);
  }

  readAllSync(afterPosition: number, maxCount: number, streamPrefix?: string): RecordedEvent[] {
    const rows = streamPrefix
      ? this.stmt.allPrefix.all(afterPosition, streamPrefix.length, streamPrefix, maxCount)
      : this.stmt.all.all(afterPosition, maxCount);
    return (rows as EventRow[]).map((r) => this.toRecorded(r));
  }

  async headPosition(): Promise<Position | undefined> {
    const head = this.headSync();
    return head === 0 ? undefined : position(this.incarnation, head);
  }

  headSync(): number {
    return (this.stmt.head.get() as { p: number | null }).p ?? 0;
  }

  subscribe(options: SubscribeOptions): AsyncIterable<RecordedEvent> {
    return pollingSubscription(this, options, (signal) => this.changed(signal));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.committer.flush();
    this.closed = true;
    this.wake();
    this.db.close();
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  private appendNow(stream: string, events: readonly EventData[], expected: ExpectedRevision, maybeRetry = true): RecordedAppend {
    if (events.length === 0) throw new Error('append needs at least one event');
    const replay = maybeRetry ? this.priorAppend(stream, events) : undefined;
    if (replay) return { ...replay, recorded: [] };
    const current = this.currentRevision(stream);
    checkExpected(stream, expected, current);
    const recordedAt = new Date().toISOString();
    let revision = current ?? -1;
    const recorded: RecordedEvent[] = [];
    for (const event of events) {
      revision += 1;
      const info = this.insert(stream, revision, event, recordedAt);
      recorded.push({
        ...event, stream, revision, recordedAt, position: position(this.incarnation, info),
      });
    }
    this.readModels?.apply(recorded);
    const last = recorded[recorded.length - 1];
    return { revision: last.revision, position: last.position, recorded };
  }

  private readonly importTarget: ImportTarget = {
    transact: (work) => this.transact(work),
    incarnation: () => this.incarnation,
    refreshIncarnation: () => this.refreshIncarnation(),
    renewIncarnation: () => this.renewIncarnation(),
    head: () => this.headSync(),
    readStream: (stream, from, max) => this.readStreamSync(stream, from, max),
    find: (id) => this.findEventSync(id),
    importEvents: (events) => this.importNow(events),
    append: (stream, events) => this.appendNow(stream, events, 'any'),
  };

  private importNow(events: readonly ImportedEvent[]): RecordedAppend {
    if (events.length === 0) throw new Error('import needs at least one event');
    const next = new Map<string, number>();
    const recorded = events.map((event) => {
      const expected = next.get(event.stream) ?? (this.currentRevision(event.stream) ?? -1) + 1;
      if (event.revision !== expected) {
        const asRevision = (r: number) => (r < 0 ? 'no_stream' : r);
        throw new ConcurrencyError(event.stream, asRevision(event.revision - 1), asRevision(expected - 1));
      }
      next.set(event.stream, expected + 1);
      const commit = this.insert(event.stream, event.revision, event, event.recordedAt);
      const { id, type, data, metadata, stream, revision, recordedAt } = event;
      return { id, type, data, metadata, stream, revision, recordedAt, position: position(this.incarnation, commit) };
    });
    this.readModels?.apply(recorded);
    const last = recorded[recorded.length - 1];
    return { revision: last.revision, position: last.position, recorded };
  }

  private renewIncarnation(): string {
    this.currentIncarnation = randomBytes(8).toString('hex');
    this.db.prepare('UPDATE store_meta SET value = ? WHERE key = ?').run(this.currentIncarnation, 'incarnation');
    return this.currentIncarnation;
  }

  private insert(stream: string, revision: number, event: EventData, recordedAt: string): number {
    try {
      const data = JSON.stringify(event.data);
      const metadata = JSON.stringify(event.metadata);
      const checksum = eventChecksum({ stream, revision, id: event.id, type: event.type, data, metadata, recorded_at: recordedAt });
      const info = this.stmt.insert.run(event.id, stream, revision, event.type, data, metadata, recordedAt, checksum);
      return Number(info.lastInsertRowid);
    } catch (error) {
      if (isUniqueViolation(error)) throw new DuplicateEventIdError(event.id);
      throw error;
    }
  }

  /** The idempotency rule: the same ids, in the same stream and order, answer the earlier append. */
  private priorAppend(stream: string, events: readonly EventData[]): AppendResult | undefined {
    const first = this.findEventSync(events[0].id);
    if (!first) return undefined;
    let last = first;
    for (let i = 0; i < events.length; i++) {
      const row = i === 0 ? first : this.findEventSync(events[i].id);
      if (!row || row.stream !== stream || row.revision !== first.revision + i) {
        throw new DuplicateEventIdError(events[i].id);
      }
      last = row;
    }
    return { revision: last.revision, position: position(this.incarnation, last.position) };
  }

  private currentRevision(stream: string): number | undefined {
    return (this.stmt.revision.get(stream) as { r: number | null }).r ?? undefined;
  }

  /** Every event read is checked against its checksum first: a damaged one is never served. */
  private toRecorded(row: EventRow): RecordedEvent {
    if (row.checksum !== eventChecksum(row)) throw new CorruptEventError(row.id, row.stream, row.revision, row.position);
    return {
      id: row.id,
      type: row.type,
      stream: row.stream,
      revision: row.revision,
      data: JSON.parse(row.data),
      metadata: JSON.parse(row.metadata),
      recordedAt: row.recorded_at,
      position: position(this.incarnation, row.position),
    };
  }

  private loadIncarnation(): string {
    const fresh = randomBytes(8).toString('hex');
    this.db.prepare('INSERT OR IGNORE INTO store_meta (key, value) VALUES (?, ?)').run('incarnation', fresh);
    return (this.db.prepare('SELECT value FROM store_meta WHERE key = ?').get('incarnation') as { value: string }).value;
  }

  private changed(signal: AbortSignal): Promise<void> {
    if (this.closed || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, this.pollIntervalMs);
      signal.addEventListener('abort', done);
      this.waiters.add(done);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('event store is closed');
  }
}

function checkExpected(stream: string, expected: ExpectedRevision, current: number | undefined): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && current === undefined) ||
    (expected === 'stream_exists' && current !== undefined) ||
    expected === current;
  if (!ok) throw new ConcurrencyError(stream, expected, current ?? 'no_stream');
}
