import { FeedEvent, FeedStart, invalid, StoreError, WatchFeed } from '@app/store';
import { BeforeApplicationShutdown, Controller, Get, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ProblemCode } from './openapi';
import { FeedEventDto } from './responses.dto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../config/config';
import { FeedDisconnect, Metrics } from '../metrics/metrics';
import { flag, single } from './query-params';

interface FeedQuery {
  consumer?: string;
  from?: string;
  after?: string;
  prefix?: string;
  types?: string;
  values?: string;
}

const FEED_PROBLEMS: ProblemCode[] = ['VALIDATION_FAILED', 'CURSOR_INVALID', 'CURSOR_STALE', 'CONSUMER_NOT_FOUND', 'TOO_MANY_STREAMS'];
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
      'position when the service disconnects a slow consumer or shuts down',
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
  private readonly openStreams = new Map<string, number>();
  /** Ends each open stream: a service that stops must not wait for its subscribers to leave. */
  private readonly closers = new Set<() => void>();

  constructor(
    private readonly queries: QueryBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  beforeApplicationShutdown(): void {
    for (const close of this.closers) close();
  }

  @Get('v1/feed')
  @FeedDocs()
  @ApiOperation({ summary: 'Change feed of every namespace (SSE)' })
  @ApiProblems(...FEED_PROBLEMS)
  all(@Query() query: FeedQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.stream(undefined, query, request, reply);
  }

  @Get('v1/namespaces/:ns/feed')
  @FeedDocs()
  @ApiOperation({ summary: 'Change feed of one namespace (SSE); 404 for an unknown namespace' })
  @ApiProblems(...FEED_PROBLEMS, 'NAMESPACE_INVALID', 'NAMESPACE_NOT_FOUND')
  one(@Param('ns') ns: string, @Query() query: FeedQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.stream(ns, query, request, reply);
  }

  private async stream(namespace: string | undefined, query: FeedQuery, request: FastifyRequest, reply: FastifyReply) {
    const caller = request.ip;
    const open = this.openStreams.get(caller) ?? 0;
    if (open >= this.config.feed.maxStreamsPerCaller) {
      throw new StoreError('TOO_MANY_STREAMS', `at most ${this.config.feed.maxStreamsPerCaller} feed streams per caller`);
    }
    const controller = new AbortController();
    const { events } = await this.queries.execute(new WatchFeed(startOf(query, request), {
      namespace,
      keyPrefix: single(query.prefix),
      types: typesOf(query.types),
      withoutValues: query.values !== undefined && !flag(query.values, 'values'),
    }, controller.signal));
    this.openStreams.set(caller, open + 1);
    this.metrics.feedOpened();
    reply.hijack();
    // A stream may be silent between heartbeats for longer than the server's idle timeout.
    request.raw.socket.setTimeout(0);
    const out = reply.raw;
    out.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': String(request.id),
    });
    out.write(': connected\nretry: 1000\n\n');
    const heartbeat = setInterval(() => out.write(': heartbeat\n\n'), this.config.feed.heartbeatMs);
    let finished = false;
    let shuttingDown = false;
    /** Why the stream ended, for the metrics; a stream that ends without one was closed by its subscriber. */
    let reason: FeedDisconnect = 'client';
    const shutDown = () => {
      shuttingDown = true;
      controller.abort();
    };
    const finish = () => {
      if (finished) return;
      finished = true;
      this.metrics.feedClosed(shuttingDown ? 'shutdown' : reason);
      controller.abort();
      clearInterval(heartbeat);
      this.closers.delete(shutDown);
      const left = (this.openStreams.get(caller) ?? 1) - 1;
      if (left > 0) this.openStreams.set(caller, left);
      else this.openStreams.delete(caller);
    };
    this.closers.add(shutDown);
    out.on('close', finish);
    let last: string | undefined;
    try {
      for await (const event of events) {
        out.write(sse(event));
        last = event.position;
        if (out.writableLength > this.config.feed.bufferBytes) {
          reason = 'slow_consumer';
          out.end(`: slow consumer disconnected; last delivered position ${last}\n\n`);
          break;
        }
      }
      if (shuttingDown) out.end(`: service shutting down; last delivered position ${last ?? 'none'}\n\n`);
    } catch (error) {
      if (!shuttingDown) reason = 'error';
      const why = shuttingDown ? 'service shutting down' : `feed interrupted (${(error as Error).message})`;
      out.end(`: ${why}; last delivered position ${last ?? 'none'}\n\n`);
    } finally {
      finish();
      if (!out.writableEnded) out.end();
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
