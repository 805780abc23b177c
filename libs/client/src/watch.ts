import { backoffDelay, BackoffOptions, sleep } from './backoff';
import { isProblem, StoreRequestError, StoreUnavailableError } from './errors';
import { SseParser } from './sse';
import { Query, refusal, Transport, unreachable } from './transport';
import type { FeedEvent, Position, Replica, StoreEventType } from './types';

export interface WatchOptions {
  /** Only this namespace's events (else every namespace's). */
  readonly namespace?: string;
  /** Only events of keys starting with this (events without a key are left out). */
  readonly prefix?: string;
  readonly types?: readonly (StoreEventType | (string & {}))[];
  /** Start after this position (exclusive), e.g. the last one a previous watch delivered. */
  readonly after?: Position;
  /**
   * 'start': the whole log; 'now' (the default): what is written from now on. With `consumer`, where
   * to start while that consumer has no checkpoint yet.
   */
  readonly from?: 'start' | 'now';
  /** Start after this durable consumer's checkpoint (see saveCheckpoint). */
  readonly consumer?: string;
  /** false: entry events without their values. */
  readonly values?: boolean;
  readonly signal?: AbortSignal;
  /** Reconnecting after a drop: delays and how many attempts in a row may fail (default: no limit). */
  readonly reconnect?: BackoffOptions & { readonly maxAttempts?: number };
  /** A connection silent for this long is taken as dropped (the service sends a heartbeat every 15 s). Default 45 s. */
  readonly idleTimeoutMs?: number;
  /** Told before each reconnect. */
  readonly onReconnect?: (info: ReconnectInfo) => void;
}

export interface ReconnectInfo {
  /** Failed attempts in a row so far (0 after a connection that delivered events and then ended). */
  readonly attempt: number;
  readonly delayMs: number;
  /** Where the next connection resumes: after this position. */
  readonly after: Position | undefined;
  /** Why the last connection ended, when it failed. */
  readonly error?: unknown;
}

type Start = { after: Position } | { from: 'start' | 'now' } | { consumer: string };

/**
 * The change feed as an async iterator of events. A dropped connection is resumed with
 * `Last-Event-ID` = the last position delivered, so nothing is missed or delivered twice; the
 * refusals a resume cannot fix (CURSOR_STALE, an unknown namespace or consumer, a bad cursor or
 * filter) end the iteration with their typed error. Ends quietly on the signal, `return()` or `close()`.
 */
export class FeedWatch implements AsyncIterableIterator<FeedEvent> {
  private readonly stop = new AbortController();
  private readonly events: AsyncGenerator<FeedEvent>;
  private last: Position | undefined;
  private opened = 0;

  constructor(private readonly transport: Transport, private readonly options: WatchOptions = {}) {
    const starts = [options.after !== undefined, options.consumer !== undefined, options.from !== undefined && options.consumer === undefined];
    if (starts.filter(Boolean).length > 1) throw new TypeError('watch starts from one of after, from and consumer (from may go with consumer)');
    this.events = this.follow();
  }

  /** The position of the last event delivered: give it as `after` to continue in a new watch. */
  get lastPosition(): Position | undefined {
    return this.last;
  }

  /** Connections opened so far: 1, plus one per resume. */
  get connections(): number {
    return this.opened;
  }

  next(): Promise<IteratorResult<FeedEvent>> {
    return this.events.next();
  }

  return(): Promise<IteratorResult<FeedEvent>> {
    this.stop.abort();
    return this.events.return(undefined);
  }

  async close(): Promise<void> {
    await this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private async *follow(): AsyncGenerator<FeedEvent> {
    const { signal: outer, reconnect = {} } = this.options;
    const stopped = () => this.stop.signal.aborted || outer?.aborted === true;
    const onAbort = () => this.stop.abort();
    outer?.addEventListener('abort', onAbort, { once: true });
    try {
      if (stopped()) return;
      let start = this.initialStart();
      for (let failures = 0; !stopped(); ) {
        if ('from' in start && start.from === 'now' && this.last === undefined) start = await this.pinNow();
        let delivered = false;
        let error: unknown;
        try {
          for await (const event of this.connect(start)) {
            delivered = true;
            this.last = event.position;
            yield event;
          }
        } catch (caught) {
          if (stopped()) return;
          if (isProblem(caught, 'CONSUMER_NOT_FOUND') && 'consumer' in start && this.options.from !== undefined && this.last === undefined) {
            start = { from: this.options.from };
            continue;
          }
          if (!resumable(caught)) throw caught;
          error = caught;
        }
        if (stopped()) return;
        if (this.last !== undefined) start = { after: this.last };
        failures = delivered ? 0 : failures + 1;
        if (failures > (reconnect.maxAttempts ?? Infinity)) {
          throw error instanceof Error ? error : new StoreUnavailableError(`the change feed at ${this.transport.baseUrl} kept closing`);
        }
        const delayMs = failures === 0 ? 0 : backoffDelay(failures, reconnect);
        this.options.onReconnect?.({ attempt: failures, delayMs, after: this.last, error });
        await sleep(delayMs, this.stop.signal);
      }
    } finally {
      outer?.removeEventListener('abort', onAbort);
      this.stop.abort();
    }
  }

  private initialStart(): Start {
    const { after, consumer, from = 'now' } = this.options;
    if (after !== undefined) return { after };
    if (consumer !== undefined) return { consumer };
    return { from };
  }

  /**
   * 'now' is pinned to the service's read position before the first connection, so one that drops
   * before its first event resumes from there and misses nothing written in between. The pin may
   * lag the log head a little on a replica catching up: then a few events from just before come
   * too. Without a pin (the service unreachable for now, or an older one) it stays 'now' and is
   * asked again before the next connection.
   */
  private async pinNow(): Promise<Start> {
    try {
      const replicas = await this.transport.json<Replica[]>({ method: 'GET', path: '/v1/replicas', retry: false, signal: this.stop.signal });
      const projector = replicas.find((r) => r.kind === 'projector');
      if (projector) return projector.position === null ? { from: 'start' } : { after: projector.position };
    } catch {
      // no pin to be had now
    }
    return { from: 'now' };
  }

  /** One connection's events, until it ends or fails. */
  private async *connect(start: Start): AsyncGenerator<FeedEvent> {
    const { namespace, prefix, types, values, idleTimeoutMs = 45_000 } = this.options;
    const connection = new AbortController();
    const stopConnection = () => connection.abort();
    this.stop.signal.addEventListener('abort', stopConnection, { once: true });
    let idle: ReturnType<typeof setTimeout> | undefined;
    const watchdog = () => {
      clearTimeout(idle);
      idle = setTimeout(() => connection.abort(new StoreUnavailableError(`the change feed was silent for ${idleTimeoutMs} ms`)), idleTimeoutMs);
    };
    const query: Query = {
      ...('after' in start ? {} : start),
      prefix,
      types: types?.join(','),
      values: values === false ? 'false' : undefined,
    };
    const headers: Record<string, string> = { ...this.transport.commonHeaders, accept: 'text/event-stream' };
    if ('after' in start) headers['last-event-id'] = start.after;
    const path = namespace === undefined ? '/v1/feed' : `/v1/namespaces/${encodeURIComponent(namespace)}/feed`;
    try {
      watchdog();
      let response: Response;
      try {
        response = await fetch(this.transport.url(path, query), { headers, signal: connection.signal });
      } catch (error) {
        throw connection.signal.reason instanceof StoreUnavailableError ? connection.signal.reason : unreachable(this.transport.baseUrl, error);
      }
      if (!response.ok || !response.body) throw await refusal(response);
      this.opened++;
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          watchdog();
          for (const message of parser.push(decoder.decode(value, { stream: true }))) {
            if (message.data !== undefined) yield parseEvent(message.data);
          }
        }
      } finally {
        await reader.cancel().catch(() => undefined);
      }
    } finally {
      clearTimeout(idle);
      this.stop.signal.removeEventListener('abort', stopConnection);
      connection.abort();
    }
  }
}

/** Network failures, an overloaded or restarting service and stream caps pass; refusals of the request do not. */
function resumable(error: unknown): boolean {
  if (error instanceof StoreRequestError) return error.status === 429 || error.status >= 500;
  return !(error instanceof FeedProtocolError);
}

class FeedProtocolError extends StoreUnavailableError {}

function parseEvent(data: string): FeedEvent {
  try {
    return JSON.parse(data) as FeedEvent;
  } catch {
    throw new FeedProtocolError(`the change feed sent an event that is not JSON: ${data.slice(0, 100)}`);
  }
}
