import {
  AsyncEventSource, BackendUnavailableError, batched, ConnectingEventStore, EventStore, formatPosition, Position,
  ProjectionWatch, sleep, SqliteProjector, untilAborted,
} from '@app/event-store';
import { Logger } from '@nestjs/common';
import Database, { Database as Db } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { IdempotencyLog, idempotencyLogProjection } from '../idempotency/idempotency-log';
import { StoreError } from '../shared/errors';
import { STREAM_PREFIX } from '../shared/store-events';
import { SharedLogNamespaceWriter, SharedLogReplica } from '../write-path/shared-log-namespace-writer';
import { openReadModels, ReadModels, STORE_PROJECTIONS } from './read-models';
import { ProjectorStatus, StoreBackend } from './store-backend';

export const READ_MODELS_FILE = 'read-models.db';

const PROJECTIONS = [...STORE_PROJECTIONS, idempotencyLogProjection];
const LIVE_BATCH = 512;
/** Readiness counts the events behind the head up to this many. */
const LAG_LIMIT = 10_000;
const PROGRESS_EVERY_MS = 1000;

export interface SharedLogBackendOptions {
  readonly name: string;
  readonly dataDir: string;
  /** Opens the shared log; retried in the background until it opens. */
  readonly open: () => Promise<EventStore>;
  /** How long a write may wait for this replica's read models. */
  readonly writeTimeoutMs: number;
  /** First and longest wait between attempts to connect or to follow the log again. */
  readonly retryMs?: { readonly first: number; readonly max: number };
}

/**
 * A replica on a log shared with other replicas (EventStoreDB). Its read models live in a local
 * SQLite file, kept by one projector that catches up from its checkpoint and then follows the log
 * by subscription; the checkpoint is committed with the rows, so a dropped subscription or a
 * restart resumes with no gap and nothing applied twice. The replica starts while the log is
 * unreachable, answers BackendUnavailableError until it connects, and reconnects by itself.
 */
export class SharedLogStoreBackend extends StoreBackend implements SharedLogReplica {
  readonly name: string;
  readonly eventStore: ConnectingEventStore;
  protected readonly readModels: ReadModels;
  readonly idempotency: IdempotencyLog;
  readonly writer: SharedLogNamespaceWriter;
  readonly watch = new ProjectionWatch();
  readonly scratchDir: string;
  private readonly db: Db;
  private readonly logger: Logger;
  private readonly stop = new AbortController();
  private readonly retryMs: { readonly first: number; readonly max: number };
  private projector?: SqliteProjector;
  private following?: AbortController;
  /** Why following the log failed last; cleared once it follows again. */
  private followProblem?: string;
  /** Why the last readiness probe of the log failed; cleared by the next one that succeeds. */
  private probeProblem?: string;
  private rebuilding = false;
  private rebuildRequests: { resolve(events: number): void; reject(error: unknown): void }[] = [];
  private readonly followed: Promise<void>;

  constructor(options: SharedLogBackendOptions) {
    super();
    this.name = options.name;
    this.logger = new Logger(`${options.name}-replica`);
    this.retryMs = options.retryMs ?? { first: 250, max: 5000 };
    mkdirSync(options.dataDir, { recursive: true });
    this.scratchDir = options.dataDir;
    this.db = new Database(join(options.dataDir, READ_MODELS_FILE));
    this.db.pragma('journal_mode = WAL');
    // The file is a cache of the log: a tail lost in a power cut goes with its checkpoint and is projected again.
    this.db.pragma('synchronous = NORMAL');
    for (const p of PROJECTIONS) this.db.exec(p.schema); // read models prepare their statements before the first connect
    this.idempotency = new IdempotencyLog(this.db);
    this.eventStore = new ConnectingEventStore(options.open, {
      firstRetryMs: this.retryMs.first,
      maxRetryMs: this.retryMs.max,
      onFailure: (error, attempt, retryInMs) =>
        this.logger.warn({ msg: 'cannot open the event log; retrying', attempt, retryInMs, error: message(error) }),
    });
    this.readModels = openReadModels(this.db, this.eventStore);
    this.writer = new SharedLogNamespaceWriter(this, { timeoutMs: options.writeTimeoutMs });
    this.followed = this.follow();
  }

  get log(): EventStore {
    return this.eventStore;
  }

  async rebuild(): Promise<number> {
    this.assertReadable();
    this.rebuilding = true;
    const done = new Promise<number>((resolve, reject) => this.rebuildRequests.push({ resolve, reject }));
    this.following?.abort();
    return done;
  }

  /** Restoring into a shared log (other replicas write to it) is not built yet; back up works on every backend. */
  async restore<R>(): Promise<R> {
    throw new StoreError('NOT_SUPPORTED', `restore is not available on the ${this.name} backend yet: restore into a sqlite store`);
  }

  projectors(): ProjectorStatus[] {
    return [{ id: `read-models@${hostname()}:${process.pid}`, position: this.projector?.checkpoint() ?? 'start' }];
  }

  unready(): string | undefined {
    if (this.stop.signal.aborted) return 'closed';
    const connecting = this.eventStore.connectProblem;
    if (connecting !== undefined || !this.projector) return `not connected to the event log: ${connecting ?? 'connecting'}`;
    if (this.rebuilding) return 'rebuilding the read models from the log';
    if (this.followProblem) return `not following the event log: ${this.followProblem}`;
    return this.probeProblem && `the event log does not answer: ${this.probeProblem}`;
  }

  assertReadable(): void {
    const problem = this.unready();
    if (!this.projector || this.rebuilding || this.stop.signal.aborted) throw new BackendUnavailableError(problem ?? 'not ready');
  }

  assertWritable(): void {
    this.assertReadable();
    if (this.followProblem) throw new BackendUnavailableError(this.unready()!);
  }

  projected(position: Position, timeoutMs: number): Promise<boolean> {
    return this.watch.until(() => this.projector?.includes(position) ?? false, timeoutMs);
  }

  async describe(): Promise<Record<string, unknown>> {
    const checkpoint = this.projector?.checkpoint();
    const facts: Record<string, unknown> = {
      readModels: READ_MODELS_FILE,
      rebuilding: this.rebuilding,
      projected: checkpoint === undefined || checkpoint === 'start' ? null : formatPosition(checkpoint),
    };
    const store = this.eventStore.current;
    if (!store || checkpoint === undefined) return facts;
    try {
      const head = await store.headPosition();
      const behind = await store.readAll({ after: checkpoint, maxCount: LAG_LIMIT, streamPrefix: STREAM_PREFIX });
      this.probeProblem = undefined;
      return { ...facts, head: head ? formatPosition(head) : null, lag: behind.length, lagCapped: behind.length === LAG_LIMIT };
    } catch (error) {
      this.probeProblem = message(error);
      return facts;
    }
  }

  async close(): Promise<void> {
    if (this.stop.signal.aborted) return;
    this.stop.abort();
    this.following?.abort();
    await this.eventStore.close();
    await this.followed;
    this.db.close();
  }

  /** The projector's life: connect, catch up, follow live; after a failure, wait and resume from the checkpoint. */
  private async follow(): Promise<void> {
    const store = await untilAborted(this.eventStore.whenOpen(), this.stop.signal);
    if (!store || this.stop.signal.aborted) return;
    const projector = (this.projector = new SqliteProjector(this.db, PROJECTIONS, store.incarnation));
    this.rebuilding ||= projector.checkpoint() === 'start';
    for (let failures = 0; !this.stop.signal.aborted;) {
      try {
        await this.catchUp(store, projector);
        this.followProblem = undefined;
        failures = 0;
        if (this.rebuildRequests.length === 0) await this.followLive(store, projector);
      } catch (error) {
        if (this.stop.signal.aborted) return;
        this.followProblem = message(error);
        const retryInMs = Math.min(this.retryMs.max, this.retryMs.first * 2 ** failures++);
        this.logger.warn({ msg: 'following the event log failed; resuming from the checkpoint', retryInMs, error: this.followProblem });
        await sleep(retryInMs, this.stop.signal);
      }
    }
  }

  private async catchUp(store: EventStore, projector: SqliteProjector): Promise<void> {
    const requests = this.rebuildRequests.splice(0);
    if (requests.length > 0) {
      projector.reset();
      this.rebuilding = true;
    }
    const rebuilding = this.rebuilding;
    const source: AsyncEventSource = (after, max) => store.readAll({ after, maxCount: max, streamPrefix: STREAM_PREFIX });
    const started = performance.now();
    const head = rebuilding ? await store.headPosition() : undefined;
    if (rebuilding) {
      this.logger.log({ msg: 'rebuilding the read models from the log', head: head && formatPosition(head), percent: progressOf(projector.checkpoint(), head) });
    }
    let logged = started;
    const onPage = (events: number) => {
      this.watch.notify();
      if (!rebuilding || performance.now() - logged < PROGRESS_EVERY_MS) return;
      logged = performance.now();
      this.logger.log({ msg: 'rebuilding the read models', events, percent: progressOf(projector.checkpoint(), head) });
    };
    try {
      const events = await projector.catchUpAsync(source, onPage, this.watch.applied);
      if (rebuilding) {
        this.rebuilding = false;
        this.logger.log({ msg: 'read models rebuilt', events, millis: Math.round(performance.now() - started) });
      }
      for (const request of requests) request.resolve(events);
    } catch (error) {
      for (const request of requests) request.reject(error);
      throw error;
    }
  }

  private async followLive(store: EventStore, projector: SqliteProjector): Promise<void> {
    const following = (this.following = new AbortController());
    const signal = AbortSignal.any([this.stop.signal, following.signal]);
    const subscription = store.subscribe({ after: projector.checkpoint(), streamPrefix: STREAM_PREFIX, signal });
    for await (const batch of batched(subscription, LIVE_BATCH)) {
      this.db.transaction(() => projector.applyInTransaction(batch, { afterEach: this.watch.applied }))();
      this.watch.notify();
    }
    if (!signal.aborted) throw new BackendUnavailableError('the subscription to the event log ended');
  }
}

/** How far a rebuild is, in percent of the head's log position (bytes on EventStoreDB, events on SQLite). */
function progressOf(checkpoint: Position | 'start', head: Position | undefined): number {
  if (!head || head.commit === 0n) return 100;
  if (checkpoint === 'start') return 0;
  return Number((checkpoint.commit * 1000n) / head.commit) / 10;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
