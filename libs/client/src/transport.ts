import { backoffDelay, BackoffOptions, sleep } from './backoff';
import { problemError, StoreUnavailableError } from './errors';
import type { Problem } from './types';

export interface RetryOptions extends BackoffOptions {
  /** Tries in all, the first one included (1: never retry). Default 5. */
  readonly attempts?: number;
}

export interface ClientOptions {
  /** The service, default http://127.0.0.1:3000. */
  readonly url?: string;
  /** Retries of calls that are safe to repeat (reads, and writes, which always carry an Idempotency-Key). */
  readonly retry?: RetryOptions;
  /** How long one attempt may wait for an answer; 0 for no limit. Default 30 s. Not applied to backup, restore and rebuild. */
  readonly timeoutMs?: number;
  /** Sent with every request (X-Correlation-Id, say). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * The bearer credential every request carries (`Authorization: Bearer <token>`) when the service
   * runs with STORE_AUTH=on: an API key `<id>.<secret>` or a JWT.
   */
  readonly token?: string;
}

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Call {
  readonly method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  readonly path: string;
  readonly query?: Query;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Sent as it is (an archive). */
  readonly raw?: AsyncIterable<Uint8Array> | Uint8Array;
  readonly headers?: Readonly<Record<string, string>>;
  /** Whether repeating the call is harmless: reads, and writes carrying an Idempotency-Key. */
  readonly retry: boolean;
  readonly signal?: AbortSignal;
  /** Long calls (backup, restore, rebuild) get no per-attempt timeout. */
  readonly untimed?: boolean;
  /** Statuses answered as they are instead of thrown (a HEAD's 404). */
  readonly accept?: readonly number[];
}

/** Failures after which the request may or may not have been applied: repeated with the same Idempotency-Key, a write applies once. */
const RETRIED_STATUSES = new Set([503, 504]);

/** HTTP to one service: JSON in and out, problem documents to typed errors, bounded retries with backoff. */
export class Transport {
  readonly baseUrl: string;
  private readonly retry: RetryOptions;
  private readonly timeoutMs: number;
  private readonly headers: Readonly<Record<string, string>>;

  constructor(options: ClientOptions = {}) {
    this.baseUrl = (options.url ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
    this.retry = options.retry ?? {};
    this.timeoutMs = options.timeoutMs ?? 30_000;
    if (options.token !== undefined && !/^[\x21-\x7e]+$/.test(options.token)) throw new TypeError('token must be visible ASCII characters (an API key or a JWT)');
    this.headers = { ...options.headers, ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }) };
  }

  /** The headers every request carries: the options' headers and the bearer token. */
  get commonHeaders(): Readonly<Record<string, string>> {
    return this.headers;
  }

  url(path: string, query: Query = {}): string {
    const pairs = Object.entries(query).filter((pair): pair is [string, string | number | boolean] => pair[1] !== undefined);
    const search = new URLSearchParams(pairs.map(([name, value]): [string, string] => [name, String(value)])).toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  async json<T>(call: Call): Promise<T> {
    const text = await (await this.send(call)).text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** The response of the first attempt that is not a retried failure; a refusal is thrown as its typed error. */
  async send(call: Call): Promise<Response> {
    const attempts = call.retry && call.raw === undefined ? Math.max(1, this.retry.attempts ?? 5) : 1;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= attempts;
      let response: Response;
      try {
        response = await this.attempt(call);
      } catch (error) {
        if (call.signal?.aborted || last) throw error;
        await sleep(backoffDelay(attempt, this.retry), call.signal);
        continue;
      }
      if (response.ok || call.accept?.includes(response.status)) return response;
      if (last || !RETRIED_STATUSES.has(response.status)) throw await refusal(response);
      await response.body?.cancel();
      await sleep(backoffDelay(attempt, this.retry), call.signal);
    }
  }

  private async attempt(call: Call): Promise<Response> {
    const headers: Record<string, string> = { ...this.headers, ...call.headers };
    let body: RequestInit['body'];
    if (call.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.body);
    } else if (call.raw !== undefined) {
      body = call.raw as RequestInit['body'];
    } else if (call.method === 'POST') {
      // The service takes a POST only as JSON, also without a body (no cross-origin page can send that unasked).
      headers['content-type'] = 'application/json';
    }
    const timeout = call.untimed || this.timeoutMs <= 0 ? undefined : AbortSignal.timeout(this.timeoutMs);
    const signals = [call.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    try {
      return await fetch(this.url(call.path, call.query), {
        method: call.method,
        headers,
        body,
        signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
        duplex: 'half',
      } as RequestInit);
    } catch (error) {
      if (call.signal?.aborted) throw call.signal.reason;
      if (timeout?.aborted) throw new StoreUnavailableError(`the store at ${this.baseUrl} did not answer within ${this.timeoutMs} ms`, { cause: error });
      throw unreachable(this.baseUrl, error);
    }
  }
}

export function unreachable(baseUrl: string, error: unknown): StoreUnavailableError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return new StoreUnavailableError(`cannot reach the store at ${baseUrl} (${cause?.code ?? cause?.message ?? (error as Error).message})`, { cause: error });
}

/** The typed error of a refused request; a body that is no problem document means something else answered. */
export async function refusal(response: Response): Promise<Error> {
  const text = await response.text().catch(() => '');
  try {
    const problem = JSON.parse(text) as Problem;
    if (typeof problem?.code === 'string') return problemError(problem);
  } catch {
    // not a problem document
  }
  return new StoreUnavailableError(`the store answered ${response.status}: ${text.slice(0, 200)}`);
}
