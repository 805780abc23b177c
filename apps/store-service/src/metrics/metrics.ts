import { parsePosition, SqliteEventStore } from '@app/event-store';
import { StoreBackend } from '@app/store';
import { Injectable, OnModuleInit } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The route label of a request no route took: one value, however many unknown paths are asked. */
export const UNMATCHED = 'unmatched';

/** Why a change-feed stream ended. */
export type FeedDisconnect = 'client' | 'slow_consumer' | 'buffer_budget' | 'shutdown' | 'error';

/** What the SQLite adapter's group committer counts (GroupCommitter.stats). */
interface GroupCommitStats {
  readonly commits: number;
  readonly work: number;
}

const groupCommitStats = (backend: StoreBackend): GroupCommitStats | undefined =>
  backend.eventStore instanceof SqliteEventStore ? backend.eventStore.committer.stats : undefined;

/** A position as the backend describes it (a number on sqlite, `<incarnation>:<n>` text otherwise) as its commit number. */
function commitOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  try {
    return Number(parsePosition(value).commit);
  } catch {
    return undefined;
  }
}

/**
 * The service's Prometheus metrics, in a registry of its own (so several services in one process
 * never share series): HTTP requests by route template, the log and group commit, the projector,
 * the change feed, and prom-client's default process and Node.js metrics (event-loop lag among them).
 */
@Injectable()
export class Metrics implements OnModuleInit {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;

  private readonly requests = new Counter({
    name: 'hexastore_http_requests_total',
    help: 'HTTP requests answered, by method, route template (unmatched for unknown paths) and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [this.registry],
  });

  private readonly latency = new Histogram({
    name: 'hexastore_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its answer, by method, route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly feedSubscribers = new Gauge({
    name: 'hexastore_feed_subscribers',
    help: 'Change-feed (SSE) streams open now',
    registers: [this.registry],
  });

  private readonly feedDisconnects = new Counter({
    name: 'hexastore_feed_disconnects_total',
    help: 'Change-feed streams ended, by reason: client (the subscriber left), slow_consumer (its own unsent data passed FEED_BUFFER_BYTES), buffer_budget (the unsent data of all streams passed FEED_TOTAL_BUFFER_BYTES and this stream held the most), shutdown, error',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  /** The log's head when this process first looked, so appended events count from the start of the process. */
  private headAtStart: number | undefined;
  /** One describe() of the backend shared by the series of one scrape. */
  private describing: Promise<Record<string, unknown>> | undefined;

  private readonly commitBatch = new Histogram({
    name: 'hexastore_group_commit_batch_size',
    help: 'sqlite: writes carried by each group-commit transaction',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });

  private readonly commitTime = new Histogram({
    name: 'hexastore_group_commit_duration_seconds',
    help: 'sqlite: time of each group-commit transaction, from BEGIN to the end of COMMIT (fsync included)',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [this.registry],
  });

  constructor(private readonly backend: StoreBackend) {
    collectDefaultMetrics({ register: this.registry });
    if (backend.eventStore instanceof SqliteEventStore) {
      backend.eventStore.committer.observe(({ batchSize, durationMs }) => {
        this.commitBatch.observe(batchSize);
        this.commitTime.observe(durationMs / 1000);
      });
    }
    for (const reason of ['client', 'slow_consumer', 'buffer_budget', 'shutdown', 'error'] as const) this.feedDisconnects.inc({ reason }, 0);
    this.registerStoreMetrics();
  }

  async onModuleInit(): Promise<void> {
    this.headAtStart = commitOf((await this.facts()).head);
  }

  /** Counts every answered request by the route that took it (its template, never the raw URL). */
  instrument(fastify: FastifyInstance): void {
    fastify.addHook('onResponse', async (request, reply) => {
      const labels = {
        method: request.method,
        route: request.is404 || !request.routeOptions.url ? UNMATCHED : request.routeOptions.url,
        status_code: String(reply.statusCode),
      };
      this.requests.inc(labels);
      this.latency.observe(labels, reply.elapsedTime / 1000);
    });
  }

  feedOpened(): void {
    this.feedSubscribers.inc();
  }

  feedClosed(reason: FeedDisconnect): void {
    this.feedSubscribers.dec();
    this.feedDisconnects.inc({ reason });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  private facts(): Promise<Record<string, unknown>> {
    this.describing ??= Promise.resolve()
      .then(() => this.backend.describe())
      .catch(() => ({}))
      .finally(() => (this.describing = undefined));
    return this.describing;
  }

  /** Series read from the store at each scrape (collect callbacks): nothing on the write path. */
  private registerStoreMetrics(): void {
    const backend = this.backend;
    const self = this;
    const facts = () => self.facts();
    new Gauge({
      name: 'hexastore_log_head_position',
      help: 'Position (commit number) of the last event in the log',
      registers: [this.registry],
      async collect() {
        const head = commitOf((await facts()).head);
        if (head !== undefined) this.set(head);
      },
    });
    new Counter({
      name: 'hexastore_events_appended_total',
      help: 'Events appended to the log since this process started (sqlite: by every process sharing the data file), read from the log head',
      registers: [this.registry],
      async collect() {
        const head = commitOf((await facts()).head);
        if (head === undefined) return;
        self.headAtStart ??= head;
        this.reset();
        this.inc(Math.max(0, head - self.headAtStart));
      },
    });
    new Gauge({
      name: 'hexastore_projector_position',
      help: 'Position (commit number) of the last event the read-model projector of this process applied',
      registers: [this.registry],
      async collect() {
        const projected = (await facts()).projected;
        const commit = projected === null ? 0 : commitOf(projected);
        if (commit !== undefined) this.set(commit);
      },
    });
    new Gauge({
      name: 'hexastore_projector_lag_events',
      help: 'Events in the log that the read-model projector of this process has not applied yet',
      registers: [this.registry],
      async collect() {
        const lag = (await facts()).lag;
        if (typeof lag === 'number') this.set(lag);
      },
    });
    new Counter({
      name: 'hexastore_group_commit_transactions_total',
      help: 'sqlite: group-commit transactions committed (one fsync each)',
      registers: [this.registry],
      collect() {
        const stats = groupCommitStats(backend);
        if (!stats) return;
        this.reset();
        this.inc(stats.commits);
      },
    });
    new Counter({
      name: 'hexastore_group_commit_writes_total',
      help: 'sqlite: writes carried by group-commit transactions; divided by the transactions, the mean batch size',
      registers: [this.registry],
      collect() {
        const stats = groupCommitStats(backend);
        if (!stats) return;
        this.reset();
        this.inc(stats.work);
      },
    });
  }
}
