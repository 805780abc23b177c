import { FeedEvent, FeedStart, invalid, WatchFeed } from '@app/store';
import { callerOf } from './authentication';
import { BeforeApplicationShutdown, Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ProblemCode } from './openapi';
import { FeedEventDto } from './responses.dto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/config';
import { FeedDisconnect, Metrics } from '../metrics/metrics';
import { FeedStreams } from './feed-streams';
import { rateLimitCaller } from './rate-limit';
import { flag, single } from './query-params';

interface FeedQuery {
  consumer?: string;
  from?: string;
  after?: string;
  prefix?: string;
  types?: string;
  values?: string;
}

const FEED_PROBLEMS: ProblemCode[] = ['VALIDATION_FAILED', 'CURSOR_INVALID', 'CURSOR_STALE', 'CONSUMER_NOT_FOUND', 'TOO_MANY_STREAMS', 'FEED_FULL'];
const feedQueries = [
  ApiQuery({ name: 'from', required: false, enum: ['start', 'now'], description: 'default now' }),
  ApiQuery({ name: 'consumer', required: false, type: String, description: "resume after a durable consumer's checkpoint" }),
  ApiQuery({ name: 'after', required: false, type: String, description: 'a position (exclusive); Last-Event-ID wins over it' }),
  ApiQuery({ name: 'prefix', required: false, type: String, description: 'key prefix' }),
  ApiQuery({ name: 'types', required: false, type: String, description: 'comma-separated event types' }),
  ApiQuery({ name: 'values', required: false, enum: ['true', 'false'], description: 'false: events without values' }),
  ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The `id:` (position) of the last event received: resume after it, with no gap and no repeat (what EventSource sends on reconnect; wins over from, after and consumer)',
    schema: { type: 'string' },
  }),
  ApiOkResponse({
    description: 'Server-Sent Events, until the client leaves: `id:` the position, `event:` the type, `data:` one FeedEvent as JSON ' +
      '(#/components/schemas/FeedEvent); comments (`: heartbeat`) every FEED_HEARTBEAT_MS; a final comment names the last delivered ' +
      'position when the service shuts down. A subscriber that does not read (past FEED_BUFFER_BYTES, or holding the most when all ' +
      'streams pass FEED_TOTAL_BUFFER_BYTES) has its connection closed at once: resume with Last-Event-ID',
    content: {
      'text/event-stream': {
        schema: { type: 'string' },
        example: 'id: 0190f3a2-7c1e-7b1a-9d2c-3f9c2a1b4e5d:2\nevent: StoreEntryCreated\ndata: {"type":"StoreEntryCreated","namespace":"billing","key":"plans/pro",…}\n\n',
      },
    },
  }),
];
const FeedDocs = (): MethodDecorator => (target, key, descriptor) => {
  for (const decorate of feedQueries) decorate(target, key, descriptor);
};

/** The change feed as Server-Sent Events: `id:` = position, `event:` = type, `data:` = JSON. */
@ApiTags('feed')
@ApiExtraModels(FeedEventDto)
@Controller()
export class FeedController implements BeforeApplicationShutdown {
  private readonly streams: FeedStreams;
  /** Ends each open stream: a service that stops must not wait for its subscribers to leave. */
  private readonly closers = new Set<() => void>();

  constructor(
    private readonly queries: QueryBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    this.streams = new FeedStreams({
      maxStreams: config.feed.maxStreams,
      maxStreamsPerCaller: config.feed.maxStreamsPerCaller,
      bufferBytes: config.feed.bufferBytes,
      totalBufferBytes: config.feed.totalBufferBytes,
    });
  }

  beforeApplicationShutdown(): void {
    for (const close of this.closers) close();
  }

  @Get('v1/feed')
  @FeedDocs()
  @ApiOperation({ summary: 'Change feed of every namespace (SSE); without the admin role, only events of namespaces the caller may read, decided per event' })
  @ApiProblems(...FEED_PROBLEMS)
  all(@Query() query: FeedQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.stream(undefined, query, request, reply);
  }

  @Get('v1/namespaces/:ns/feed')
  @FeedDocs()
  @ApiOperation({ summary: 'Change feed of one namespace (SSE); 404 for an unknown namespace; needs read' })
  @ApiProblems(...FEED_PROBLEMS, 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND')
  one(@Param('ns') ns: string, @Query() query: FeedQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.stream(ns, query, request, reply);
  }

  private async stream(namespace: string | undefined, query: FeedQuery, request: FastifyRequest, reply: FastifyReply) {
    // The slot is taken before anything asynchronous, so concurrent requests cannot pass a cap together.
    // Per caller: the authenticated user once authentication is on (one user on many addresses is one caller), else the address.
    const slot = this.streams.admit(rateLimitCaller(request, this.config.auth.mode === 'on'));
    const controller = new AbortController();
    let events: AsyncIterable<FeedEvent>;
    let inBacklog: (position: string) => boolean;
    try {
      ({ events, inBacklog } = await this.queries.execute(new WatchFeed(startOf(query, request), {
        namespace,
        keyPrefix: single(query.prefix),
        types: typesOf(query.types),
        withoutValues: query.values !== undefined && !flag(query.values, 'values'),
      }, controller.signal, callerOf(request))));
    } catch (error) {
      slot.release();
      throw error;
    }
    this.metrics.feedOpened();
    reply.hijack();
    const socket = request.raw.socket;
    // A stream may be silent between heartbeats for longer than the server's idle timeout.
    socket.setTimeout(0);
    const out = reply.raw;
    let shuttingDown = false;
    let dropped = false;
    /** Why the stream ended, for the metrics; a stream that ends without one was closed by its subscriber. */
    let reason: FeedDisconnect = 'client';
    const shutDown = () => {
      shuttingDown = true;
      controller.abort();
    };
    let heartbeat: NodeJS.Timeout | undefined;
    let closed = false;
    /** The stream counts (in the metrics and against the caps and the budget) until its socket is closed. */
    const closedNow = () => {
      if (closed) return;
      closed = true;
      this.metrics.feedClosed(shuttingDown ? 'shutdown' : reason);
      controller.abort();
      clearInterval(heartbeat);
      this.closers.delete(shutDown);
      slot.release();
    };
    this.closers.add(shutDown);
    out.on('close', closedNow);
    socket.on('close', closedNow);
    slot.attach({
      unsent: () => out.writableLength,
      // Over its budget, or the heaviest when all streams are over theirs: the socket is destroyed,
      // not ended, so what it had not sent is released at once (the subscriber resumes after the last id it read).
      drop: (why) => {
        reason = why;
        dropped = true;
        controller.abort();
        socket.destroy();
      },
    });
    /** Answers false when the socket asks to wait for 'drain'. */
    const write = (text: string): boolean => {
      if (dropped || out.writableEnded || out.destroyed) return true;
      const more = out.write(text);
      slot.wrote();
      return more;
    };
    const drained = () => new Promise<void>((resolve) => {
      if (controller.signal.aborted || out.destroyed) return resolve();
      const done = () => {
        out.off('drain', done);
        out.off('close', done);
        controller.signal.removeEventListener('abort', done);
        resolve();
      };
      out.on('drain', done);
      out.on('close', done);
      controller.signal.addEventListener('abort', done);
    });
    out.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': String(request.id),
    });
    write(': connected\nretry: 1000\n\n');
    heartbeat = setInterval(() => write(': heartbeat\n\n'), this.config.feed.heartbeatMs);
    let last: string | undefined;
    try {
      for await (const event of events) {
        if (dropped || out.destroyed) break;
        const more = write(sse(event));
        last = event.position;
        // The catch-up goes at the subscriber's pace (the log is its buffer); live events do not wait.
        if (!more && inBacklog(event.position)) await drained();
      }
      if (shuttingDown) out.end(`: service shutting down; last delivered position ${last ?? 'none'}\n\n`);
    } catch (error) {
      if (!shuttingDown && !dropped) reason = 'error';
      const why = shuttingDown ? 'service shutting down' : `feed interrupted (${(error as Error).message})`;
      if (!dropped && !out.destroyed) out.end(`: ${why}; last delivered position ${last ?? 'none'}\n\n`);
    } finally {
      clearInterval(heartbeat);
      controller.abort();
      if (!out.writableEnded && !out.destroyed) out.end();
      if (socket.destroyed) closedNow();
    }
  }
}

const sse = (event: FeedEvent) => `id: ${event.position}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

function startOf(query: FeedQuery, request: FastifyRequest): FeedStart {
  const lastEventId = request.headers['last-event-id'];
  if (typeof lastEventId === 'string' && lastEventId !== '') return { after: lastEventId };
  const after = single(query.after);
  if (after !== undefined) return { after };
  const consumer = single(query.consumer);
  if (consumer !== undefined) return { consumer };
  const from = single(query.from) ?? 'now';
  if (from !== 'start' && from !== 'now') throw invalid('from is "start" or "now"');
  return { from };
}

const EVENT_TYPE_RE = /^Store[A-Za-z]{1,60}$/;

function typesOf(value: unknown): ReadonlySet<string> | undefined {
  const given = single(value);
  if (given === undefined) return undefined;
  const types = given.split(',').map((t) => t.trim()).filter(Boolean);
  if (types.length === 0 || !types.every((t) => EVENT_TYPE_RE.test(t))) throw invalid('types is a comma-separated list of event types such as StoreEntryCreated');
  return new Set(types);
}
