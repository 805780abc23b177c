import Database, { Database as Db } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { sleep, untilAborted } from '../abort';
import { ConnectingEventStore } from '../connecting-event-store';
import { BackendUnavailableError } from '../errors';
import { EventStore } from '../event-store.port';
import { formatPosition, Position } from '../position';
import { batched } from '../subscription';
import { Projection } from './projection';
import { ProjectionWatch } from './projection-watch';
import { ReadModelHost } from './read-model-host';
import { AsyncEventSource, RebuildProgress, SqliteProjector } from './sqlite-projector';

const LIVE_BATCH = 512;
/** Readiness counts the events behind the head up to this many. */
const LAG_LIMIT = 10_000;
const PROGRESS_EVERY_MS = 1000;

export type FollowerLog = (level: 'log' | 'warn', entry: Record<string, unknown>) => void;

export interface FollowingOptions {
  /** The local SQLite file of the read models. */
  readonly file: string;
  readonly projections: readonly Projection[];
  readonly log: ConnectingEventStore;
  /** Only streams with this prefix are projected. */
  readonly streamPrefix: string;
  /** First and longest wait between attempts to follow the log again. */
  readonly retryMs?: { readonly first: number; readonly max: number };
  readonly report?: FollowerLog;
}

/**
 * Read models of a log shared with other processes, in a local SQLite file: one projector catches
 * up from its checkpoint, then follows the log by subscription; the checkpoint is committed with
 * the rows, so a dropped subscription or a restart resumes with no gap and nothing applied twice.
 */
export class FollowingReadModels implements ReadModelHost {
  readonly db: Db;
  readonly watch = new ProjectionWatch();
  readonly inline = false;
  private readonly stop = new AbortController();
  private readonly retryMs: { readonly first: number; readonly max: number };
  private readonly report: FollowerLog;
  private projector?: SqliteProjector;
  private following?: AbortController;
  /** Why following the log failed last; cleared once it follows again. */
  private followProblem?: string;
  /** Why the last readiness probe of the log failed; cleared by the next one that succeeds. */
  private probeProblem?: string;
  private rebuilding = false;
  private rebuildRequests: { resolve(events: number): void; reject(error: unknown): void }[] = [];
  private readonly followed: Promise<void>;

  constructor(private readonly options: FollowingOptions) {
    this.retryMs = options.retryMs ?? { first: 250, max: 5000 };
    this.report = options.report ?? (() => undefined);
    mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    // The file is a cache of the log: a tail lost in a power cut goes with its checkpoint and is projected again.
    this.db.pragma('synchronous = NORMAL');
    for (const p of options.projections) this.db.exec(p.schema); // queries prepare their statements before the first connect
    this.followed = this.follow();
  }

  checkpoint(): Position | 'start' {
    return this.projector?.checkpoint() ?? 'start';
  }

  reached(position: Position, timeoutMs: number): Promise<boolean> {
    return this.watch.until(() => this.projector?.includes(position) ?? false, timeoutMs);
  }

  rebuild(): Promise<number> {
    const problem = this.unready();
    if (problem) return Promise.reject(new BackendUnavailableError(problem));
    this.rebuilding = true;
    const done = new Promise<number>((resolve, reject) => this.rebuildRequests.push({ resolve, reject }));
    this.following?.abort();
    return done;
  }

  unready(): string | undefined {
    if (this.stop.signal.aborted) return 'closed';
    const connecting = this.options.log.connectProblem;
    if (connecting !== undefined || !this.projector) return `not connected to the event log: ${connecting ?? 'connecting'}`;
    if (this.rebuilding) return 'rebuilding the read models from the log';
    if (this.followProblem) return `not following the event log: ${this.followProblem}`;
    return this.probeProblem && `the event log does not answer: ${this.probeProblem}`;
  }

  /** Why a write cannot be made now (not following the log), if it cannot. */
  unwritable(): string | undefined {
    if (!this.projector || this.rebuilding || this.stop.signal.aborted) return this.unready() ?? 'not ready';
    return this.followProblem && this.unready();
  }

  async describe(): Promise<Record<string, unknown>> {
    const checkpoint = this.projector?.checkpoint();
    const facts: Record<string, unknown> = {
      rebuilding: this.rebuilding,
      projected: checkpoint === undefined || checkpoint === 'start' ? null : formatPosition(checkpoint),
    };
    const store = this.options.log.current;
    if (!store || checkpoint === undefined) return facts;
    try {
      const head = await store.headPosition();
      const behind = await store.readAll({ after: checkpoint, maxCount: LAG_LIMIT, streamPrefix: this.options.streamPrefix });
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
    await this.options.log.close();
    await this.followed;
    this.db.close();
  }

  /** The projector's life: connect, catch up, follow live; after a failure, wait and resume from the checkpoint. */
  private async follow(): Promise<void> {
    const store = await untilAborted(this.options.log.whenOpen(), this.stop.signal);
    if (!store || this.stop.signal.aborted) return;
    const projector = (this.projector = new SqliteProjector(this.db, this.options.projections, store.incarnation));
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
        this.report('warn', { msg: 'following the event log failed; resuming from the checkpoint', retryInMs, error: this.followProblem });
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
    const source: AsyncEventSource = (after, max) => store.readAll({ after, maxCount: max, streamPrefix: this.options.streamPrefix });
    const started = performance.now();
    const head = rebuilding ? await store.headPosition() : undefined;
    if (rebuilding) {
      this.report('log', { msg: 'rebuilding the read models from the log', head: head && formatPosition(head), percent: progressOf(projector.checkpoint(), head) });
    }
    let logged = started;
    const onPage = (events: number) => {
      this.watch.notify();
      if (!rebuilding || performance.now() - logged < PROGRESS_EVERY_MS) return;
      logged = performance.now();
      this.report('log', { msg: 'rebuilding the read models', events, percent: progressOf(projector.checkpoint(), head) });
    };
    try {
      const events = await projector.catchUpAsync(source, onPage, this.watch.applied);
      if (rebuilding) {
        this.rebuilding = false;
        this.report('log', { msg: 'read models rebuilt', events, millis: Math.round(performance.now() - started) });
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
    const subscription = store.subscribe({ after: projector.checkpoint(), streamPrefix: this.options.streamPrefix, signal });
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

export type { RebuildProgress };
