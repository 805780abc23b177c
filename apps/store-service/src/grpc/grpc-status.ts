import { ErrorCode } from '@app/store';
import { Metadata, status as Status, type ServiceError } from '@grpc/grpc-js';
import { Problem, toProblem, TransportCode } from '../http/problem';

/**
 * The one mapping from problem codes to gRPC status codes. Bad input of any kind is
 * INVALID_ARGUMENT, a refused precondition (versions, state) FAILED_PRECONDITION, and only the
 * store's own failures are INTERNAL or UNAVAILABLE.
 */
export const GRPC_STATUS: Readonly<Record<ErrorCode | TransportCode, Status>> = {
  NAMESPACE_INVALID: Status.INVALID_ARGUMENT,
  KEY_INVALID: Status.INVALID_ARGUMENT,
  VALIDATION_FAILED: Status.INVALID_ARGUMENT,
  CURSOR_INVALID: Status.INVALID_ARGUMENT,
  CONFIG_INVALID: Status.INVALID_ARGUMENT,
  ARCHIVE_INVALID: Status.INVALID_ARGUMENT,
  PAYLOAD_TOO_LARGE: Status.INVALID_ARGUMENT,
  TRANSACTION_TOO_LARGE: Status.INVALID_ARGUMENT,
  MALFORMED_REQUEST: Status.INVALID_ARGUMENT,
  HEADERS_TOO_LARGE: Status.INVALID_ARGUMENT,
  UNSUPPORTED_MEDIA_TYPE: Status.INVALID_ARGUMENT,
  UNAUTHORIZED: Status.UNAUTHENTICATED,
  HOST_NOT_ALLOWED: Status.PERMISSION_DENIED,
  ENTRY_NOT_FOUND: Status.NOT_FOUND,
  NAMESPACE_NOT_FOUND: Status.NOT_FOUND,
  CONSUMER_NOT_FOUND: Status.NOT_FOUND,
  ROLLBACK_POINT_NOT_FOUND: Status.NOT_FOUND,
  SNAPSHOT_NOT_FOUND: Status.NOT_FOUND,
  TAG_NOT_FOUND: Status.NOT_FOUND,
  DEPENDENCY_NOT_FOUND: Status.NOT_FOUND,
  ROUTE_NOT_FOUND: Status.NOT_FOUND,
  VERSION_CONFLICT: Status.FAILED_PRECONDITION,
  ENTRY_NOT_DELETED: Status.FAILED_PRECONDITION,
  DEPENDENCY_CYCLE: Status.FAILED_PRECONDITION,
  NAMESPACE_IN_USE: Status.FAILED_PRECONDITION,
  IDEMPOTENCY_KEY_REUSED: Status.FAILED_PRECONDITION,
  RESTORE_CONFLICT: Status.ALREADY_EXISTS,
  CURSOR_STALE: Status.OUT_OF_RANGE,
  QUOTA_EXCEEDED: Status.RESOURCE_EXHAUSTED,
  TOO_MANY_STREAMS: Status.RESOURCE_EXHAUSTED,
  STORAGE_FULL: Status.RESOURCE_EXHAUSTED,
  METHOD_NOT_ALLOWED: Status.UNIMPLEMENTED,
  NOT_SUPPORTED: Status.UNIMPLEMENTED,
  REQUEST_TIMEOUT: Status.DEADLINE_EXCEEDED,
  READ_TIMEOUT: Status.DEADLINE_EXCEEDED,
  FEED_FULL: Status.UNAVAILABLE,
  BACKEND_UNAVAILABLE: Status.UNAVAILABLE,
  LOG_CORRUPTED: Status.DATA_LOSS,
  INTERNAL: Status.INTERNAL,
  FORBIDDEN: Status.PERMISSION_DENIED,
  GRANT_NOT_FOUND: Status.NOT_FOUND,
  RATE_LIMITED: Status.RESOURCE_EXHAUSTED,
  LOCK_HELD: Status.FAILED_PRECONDITION,
  LOCK_TOKEN_INVALID: Status.FAILED_PRECONDITION,
  LOCKED: Status.FAILED_PRECONDITION,
  FENCED: Status.ABORTED,
  SCHEMA_VIOLATION: Status.INVALID_ARGUMENT,
  SCHEMA_INVALID: Status.INVALID_ARGUMENT,
  SCHEMA_TOO_COMPLEX: Status.INVALID_ARGUMENT,
  SCHEMA_NOT_FOUND: Status.NOT_FOUND,
  KEY_UNAVAILABLE: Status.UNAVAILABLE,
  VALUE_SHREDDED: Status.FAILED_PRECONDITION,
  NAMESPACE_NOT_ENCRYPTED: Status.FAILED_PRECONDITION,
};

/** Trailing metadata: the problem's code, and the whole problem document as JSON. */
export const PROBLEM_CODE_KEY = 'hexastore-problem-code';
export const PROBLEM_KEY = 'hexastore-problem';

/** Room left for the problem in the trailers (clients refuse metadata over 8 KiB by default). */
const MAX_PROBLEM_CHARS = 4096;

/** Anything thrown, as the gRPC error a call ends with. */
export function toGrpcError(error: unknown): Partial<ServiceError> {
  return problemError(toProblem(error));
}

export function problemError(problem: Problem): Partial<ServiceError> {
  const metadata = new Metadata();
  metadata.set(PROBLEM_CODE_KEY, problem.code);
  metadata.set(PROBLEM_KEY, problemJson(problem));
  return { code: GRPC_STATUS[problem.code] ?? Status.INTERNAL, details: problem.detail, metadata };
}

/** JSON in printable ASCII (metadata values allow nothing else), short enough for the trailers. */
function problemJson(problem: Problem): string {
  const ascii = (value: unknown) => JSON.stringify(value).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const whole = ascii(problem);
  if (whole.length <= MAX_PROBLEM_CHARS) return whole;
  const { type, title, status, code } = problem;
  return ascii({ type, title, status, code, detail: problem.detail.slice(0, 1024) });
}
