/** The store's HTTP API as the page calls it: the bearer token from sessionStorage, problem+json as errors. */
const TOKEN_KEY = 'hexastore.token';

export const token = {
  get: (): string => sessionStorage.getItem(TOKEN_KEY) ?? '',
  set: (value: string) => (value === '' ? sessionStorage.removeItem(TOKEN_KEY) : sessionStorage.setItem(TOKEN_KEY, value)),
};

export interface Problem {
  status: number;
  code: string;
  title: string;
  detail?: string;
  [field: string]: unknown;
}

/** An answer that is not 2xx, with the problem document the service sent (or one made from the status). */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.code}: ${problem.detail ?? problem.title}`);
  }

  get status(): number {
    return this.problem.status;
  }

  /** The caller may not do this: no credential (401) or not allowed (403). */
  get denied(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

let onUnauthorized: () => void = () => undefined;

/** Told when a call answers 401 (a token that expired or was revoked while the page was open). */
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export function authHeaders(): Record<string, string> {
  const value = token.get();
  return value === '' ? {} : { authorization: `Bearer ${value}` };
}

export interface CallOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export async function call(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<Response> {
  const { signal } = options;
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...options.headers, ...authHeaders() };
  // The service takes every POST as JSON, also one without a body.
  if (body !== undefined || method === 'POST') headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store' });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError({ status: 0, code: 'NETWORK_ERROR', title: 'the service did not answer', detail: String((error as Error).message) });
  }
  if (!response.ok) {
    const error = new ApiError(await problemOf(response));
    if (error.status === 401) onUnauthorized();
    throw error;
  }
  return response;
}

/** A JSON answer (undefined for 204). */
export async function json<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await call(method, path, body);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => '');
  try {
    const parsed = JSON.parse(text) as Partial<Problem>;
    if (parsed && typeof parsed === 'object' && typeof parsed.code === 'string') {
      return { ...parsed, status: response.status, code: parsed.code, title: String(parsed.title ?? response.statusText) };
    }
  } catch {
    // not a problem document: described from the status below
  }
  return { status: response.status, code: `HTTP_${response.status}`, title: response.statusText || 'request failed', detail: text.slice(0, 200) || undefined };
}

export const ns = (name: string) => `/v1/namespaces/${encodeURIComponent(name)}`;
export const entry = (namespace: string, key: string) => `${ns(namespace)}/entries/${encodeURIComponent(key)}`;

export const query = (params: Record<string, string | number | undefined>) => {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
};
