import { ErrorCode, StoreError } from '@app/store';
import { HttpException } from '@nestjs/common';

/** Codes of the transport itself, beside the store's closed set. */
export type TransportCode =
  | 'ROUTE_NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'UNSUPPORTED_MEDIA_TYPE' | 'HOST_NOT_ALLOWED' | 'INTERNAL'
  | 'MALFORMED_REQUEST' | 'HEADERS_TOO_LARGE' | 'REQUEST_TIMEOUT' | 'RATE_LIMITED';

/** A refusal by the HTTP layer itself (before any handler), with its transport code. */
export class TransportError extends Error {
  constructor(readonly code: TransportCode, message: string, readonly details: Readonly<Record<string, unknown>> = {}) {
    super(message);
  }
}

const STATUS: Record<ErrorCode | TransportCode, number> = {
  NAMESPACE_INVALID: 400,
  KEY_INVALID: 400,
  VALIDATION_FAILED: 400,
  CURSOR_INVALID: 400,
  CONFIG_INVALID: 400,
  ARCHIVE_INVALID: 400,
  MALFORMED_REQUEST: 400,
  SCHEMA_VIOLATION: 400,
  NAMESPACE_NOT_ENCRYPTED: 409,
  VALUE_SHREDDED: 410,
  KEY_UNAVAILABLE: 503,
  SCHEMA_INVALID: 400,
  SCHEMA_TOO_COMPLEX: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  ENTRY_NOT_FOUND: 404,
  NAMESPACE_NOT_FOUND: 404,
  CONSUMER_NOT_FOUND: 404,
  ROLLBACK_POINT_NOT_FOUND: 404,
  SNAPSHOT_NOT_FOUND: 404,
  TAG_NOT_FOUND: 404,
  DEPENDENCY_NOT_FOUND: 404,
  SCHEMA_NOT_FOUND: 404,
  GRANT_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  VERSION_CONFLICT: 409,
  ENTRY_NOT_DELETED: 409,
  RESTORE_CONFLICT: 409,
  QUOTA_EXCEEDED: 409,
  DEPENDENCY_CYCLE: 409,
  NAMESPACE_IN_USE: 409,
  LOCK_HELD: 409,
  LOCK_TOKEN_INVALID: 409,
  FENCED: 409,
  LOCKED: 423,
  CURSOR_STALE: 410,
  PAYLOAD_TOO_LARGE: 413,
  TRANSACTION_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  HOST_NOT_ALLOWED: 421,
  HEADERS_TOO_LARGE: 431,
  IDEMPOTENCY_KEY_REUSED: 422,
  TOO_MANY_STREAMS: 429,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  LOG_CORRUPTED: 500,
  NOT_SUPPORTED: 501,
  BACKEND_UNAVAILABLE: 503,
  FEED_FULL: 503,
  READ_TIMEOUT: 504,
  STORAGE_FULL: 507,
};

/** Every code a problem document can carry. */
export const PROBLEM_CODES = Object.keys(STATUS) as (ErrorCode | TransportCode)[];

/** The HTTP status a code is answered with. */
export const statusOf = (code: ErrorCode | TransportCode): number => STATUS[code];

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode | TransportCode;
  detail: string;
  [extension: string]: unknown;
}

export const problem = (code: ErrorCode | TransportCode, detail: string, extra: Record<string, unknown> = {}): Problem => ({
  ...extra,
  type: `urn:hexastore:problem:${code.toLowerCase().replace(/_/g, '-')}`,
  title: code.toLowerCase().replace(/_/g, ' '),
  status: STATUS[code],
  code,
  detail,
});

/**
 * A request Node's HTTP parser refused before any route saw it (a NUL or space in the request line,
 * headers over the limit, an unknown transfer-encoding) or that did not arrive in time.
 */
export function malformedRequestProblem(error: { code?: string; message?: string }): Problem {
  if (error.code === 'HPE_HEADER_OVERFLOW') return problem('HEADERS_TOO_LARGE', 'the request headers are larger than the service takes');
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return problem('REQUEST_TIMEOUT', 'the request did not arrive in time');
  return problem('MALFORMED_REQUEST', `the request is not valid HTTP/1.1 (${error.code ?? 'parse error'})`);
}

/** A path the router knows, asked with a method it has no route for; `allow` lists the methods it has. */
export class MethodNotAllowedError extends Error {
  constructor(readonly method: string, readonly allow: readonly string[]) {
    super(`${method} is not allowed here; this path takes ${allow.join(', ')}`);
  }
}

interface FrameworkError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/**
 * The one mapping from anything thrown to RFC 9457 problem details: store errors by code,
 * validation and framework errors to 4xx, the port's infrastructure errors by name, the rest 500.
 */
export function toProblem(error: unknown): Problem {
  if (error instanceof StoreError) return problem(error.code, error.message, { ...error.details });
  if (error instanceof TransportError) return problem(error.code, error.message, { ...error.details });
  if (error instanceof HttpException) return fromHttpException(error);
  if (error instanceof MethodNotAllowedError) return problem('METHOD_NOT_ALLOWED', error.message, { allow: [...error.allow] });
  const name = (error as Error)?.constructor?.name;
  if (name === 'StorageFullError') return problem('STORAGE_FULL', 'the store is out of space; nothing was written');
  if (name === 'AppendTooLargeError') return problem('PAYLOAD_TOO_LARGE', `${(error as Error).message}; nothing was written`);
  if (name === 'BackendUnavailableError') return problem('BACKEND_UNAVAILABLE', (error as Error).message);
  if (name === 'CorruptEventError') return problem('LOG_CORRUPTED', (error as Error).message, { eventId: (error as { eventId?: string }).eventId });
  const framework = error as FrameworkError;
  const status = framework?.statusCode ?? 500;
  if (framework?.code === 'FST_ERR_BAD_URL') return problem('KEY_INVALID', 'the path is not valid percent-encoded UTF-8');
  if (status === 413) return problem('PAYLOAD_TOO_LARGE', 'the request body is too large');
  if (status === 415) return problem('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  if (status >= 400 && status < 500) return problem('VALIDATION_FAILED', framework.message ?? 'bad request');
  return problem('INTERNAL', 'the store failed to answer; nothing was written');
}

function fromHttpException(error: HttpException): Problem {
  const status = error.getStatus();
  const body = error.getResponse() as { message?: string | string[] };
  const messages = Array.isArray(body?.message) ? body.message : [body?.message ?? error.message];
  if (status === 404) return problem('ROUTE_NOT_FOUND', messages[0]);
  if (status === 405) return problem('METHOD_NOT_ALLOWED', messages[0]);
  if (status === 413) return problem('PAYLOAD_TOO_LARGE', messages[0]);
  if (status === 415) return problem('UNSUPPORTED_MEDIA_TYPE', messages[0]);
  if (status >= 500) return problem('INTERNAL', 'the store failed to answer; nothing was written');
  return problem('VALIDATION_FAILED', messages.join('; '), messages.length > 1 ? { errors: messages } : {});
}
