import type {
  CreateNamespaceResult, EntryPage, EntryView, EntryWriteResult, NamespaceView, RebuildResult, RestoreResult, TransactionResult,
} from '@app/store';
import { Problem, StoreRequestError, StoreUnavailableError } from './errors';

export interface WriteOptions {
  /** A retry with the same key is applied once and answered the same. */
  readonly idempotencyKey?: string;
}

export interface PutOptions extends WriteOptions {
  readonly metadata?: Readonly<Record<string, string>>;
  readonly ttlSeconds?: number;
  /** 0: the key must not exist; n: the key must be at version n. */
  readonly expectedVersion?: number;
}

export type TransactionOp =
  | { op: 'put'; key: string; value?: string; valueBase64?: string; metadata?: Record<string, string>; ttlSeconds?: number; expectedVersion?: number }
  | { op: 'delete'; key: string; expectedVersion?: number };

export interface BackupDownload {
  /** The file name the store suggests. */
  readonly filename: string | undefined;
  /** The gzip'd archive, as it streams. */
  readonly body: AsyncIterable<Uint8Array>;
}

export interface ReadinessReport {
  readonly status: string;
  readonly info?: { store?: Record<string, unknown> };
}

/**
 * A typed HTTP client of the store's v1 API. Refusals throw StoreRequestError carrying the
 * problem document; an unreachable store throws StoreUnavailableError.
 */
export class StoreClient {
  private readonly baseUrl: string;

  constructor(baseUrl = 'http://127.0.0.1:3000') {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  listNamespaces(): Promise<NamespaceView[]> {
    return this.json('GET', '/v1/namespaces');
  }

  getNamespace(namespace: string): Promise<NamespaceView> {
    return this.json('GET', `/v1/namespaces/${segment(namespace)}`);
  }

  createNamespace(namespace: string, options: WriteOptions = {}): Promise<CreateNamespaceResult> {
    return this.json('PUT', `/v1/namespaces/${segment(namespace)}`, { headers: writeHeaders(options) });
  }

  /** Text goes as `value`, bytes as `valueBase64`. */
  put(namespace: string, key: string, value: string | Uint8Array, options: PutOptions = {}): Promise<EntryWriteResult> {
    const { idempotencyKey: _, ...rest } = options;
    const encoded = typeof value === 'string' ? { value } : { valueBase64: Buffer.from(value).toString('base64') };
    return this.json('PUT', entryPath(namespace, key), { body: { ...encoded, ...rest }, headers: writeHeaders(options) });
  }

  get(namespace: string, key: string): Promise<EntryView> {
    return this.json('GET', entryPath(namespace, key));
  }

  async delete(namespace: string, key: string, options: WriteOptions & { expectedVersion?: number } = {}): Promise<void> {
    await this.json('DELETE', entryPath(namespace, key) + query({ expectedVersion: options.expectedVersion }), { headers: writeHeaders(options) });
  }

  list(namespace: string, options: { prefix?: string; limit?: number; cursor?: string } = {}): Promise<EntryPage> {
    return this.json('GET', `/v1/namespaces/${segment(namespace)}/entries${query(options)}`);
  }

  transaction(namespace: string, ops: readonly TransactionOp[], options: WriteOptions = {}): Promise<TransactionResult> {
    return this.json('POST', `/v1/namespaces/${segment(namespace)}/transactions`, { body: { ops }, headers: writeHeaders(options) });
  }

  async backup(options: { namespaces?: readonly string[] } = {}): Promise<BackupDownload> {
    const params = (options.namespaces ?? []).map((n) => `namespace=${encodeURIComponent(n)}`).join('&');
    const response = await this.send('POST', `/v1/admin/backup${params ? `?${params}` : ''}`, {});
    if (!response.body) throw new StoreUnavailableError('the store answered a backup without a body');
    const filename = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1];
    return { filename, body: response.body as unknown as AsyncIterable<Uint8Array> };
  }

  /** Uploads an archive as it is read. */
  async restore(archive: AsyncIterable<Uint8Array> | Uint8Array): Promise<RestoreResult> {
    return this.json('POST', '/v1/admin/restore', { raw: archive, headers: { 'content-type': 'application/gzip' } });
  }

  rebuild(): Promise<RebuildResult> {
    return this.json('POST', '/v1/admin/rebuild');
  }

  ready(): Promise<ReadinessReport> {
    return this.json('GET', '/health/ready');
  }

  private async json<T>(method: string, path: string, request: Request = {}): Promise<T> {
    const response = await this.send(method, path, request);
    const text = await response.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  private async send(method: string, path: string, request: Request): Promise<Response> {
    const headers: Record<string, string> = { ...request.headers };
    let body: RequestInit['body'];
    if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.body);
    } else if (request.raw !== undefined) {
      body = request.raw;
    }
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { method, headers, body, duplex: 'half' });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new StoreUnavailableError(`cannot reach the store at ${this.baseUrl} (${cause?.code ?? cause?.message ?? (error as Error).message})`, { cause: error });
    }
    if (response.ok) return response;
    throw await refusal(response);
  }
}

interface Request {
  readonly body?: unknown;
  readonly raw?: AsyncIterable<Uint8Array> | Uint8Array;
  readonly headers?: Record<string, string>;
}

async function refusal(response: Response): Promise<Error> {
  const text = await response.text();
  try {
    const problem = JSON.parse(text) as Problem;
    if (typeof problem?.code === 'string') return new StoreRequestError(problem);
  } catch {
    // not a problem document
  }
  return new StoreUnavailableError(`the store answered ${response.status}: ${text.slice(0, 200)}`);
}

const segment = (name: string) => encodeURIComponent(name);
const entryPath = (namespace: string, key: string) => `/v1/namespaces/${segment(namespace)}/entries/${encodeURIComponent(key)}`;
const writeHeaders = (options: WriteOptions): Record<string, string> =>
  options.idempotencyKey === undefined ? {} : { 'idempotency-key': options.idempotencyKey };

function query(params: Record<string, string | number | undefined>): string {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`);
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}
