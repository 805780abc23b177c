/** The closed set of errors the store answers with; apps map each code to a transport status. */
export const ERROR_CODES = [
  'NAMESPACE_INVALID',
  'KEY_INVALID',
  'ENTRY_NOT_FOUND',
  'NAMESPACE_NOT_FOUND',
  'CONSUMER_NOT_FOUND',
  'ROLLBACK_POINT_NOT_FOUND',
  'SNAPSHOT_NOT_FOUND',
  'ENTRY_NOT_DELETED',
  'VERSION_CONFLICT',
  'VALIDATION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'TRANSACTION_TOO_LARGE',
  'CURSOR_INVALID',
  'CURSOR_STALE',
  'IDEMPOTENCY_KEY_REUSED',
  'STORAGE_FULL',
  'BACKEND_UNAVAILABLE',
  'READ_TIMEOUT',
  'NOT_SUPPORTED',
  'TOO_MANY_STREAMS',
  'FEED_FULL',
  'CONFIG_INVALID',
  'RESTORE_CONFLICT',
  'ARCHIVE_INVALID',
  'LOG_CORRUPTED',
  'UNAUTHORIZED',
  'QUOTA_EXCEEDED',
  'DEPENDENCY_CYCLE',
  'NAMESPACE_IN_USE',
  'TAG_NOT_FOUND',
  'DEPENDENCY_NOT_FOUND',
  'LOCK_HELD',
  'LOCK_TOKEN_INVALID',
  'LOCKED',
  'FENCED',
  'SCHEMA_VIOLATION',
  'SCHEMA_INVALID',
  'SCHEMA_TOO_COMPLEX',
  'SCHEMA_NOT_FOUND',
  'FORBIDDEN',
  'GRANT_NOT_FOUND',
  'KEY_UNAVAILABLE',
  'VALUE_SHREDDED',
  'NAMESPACE_NOT_ENCRYPTED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class StoreError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
  }
}

export const invalid = (message: string, details?: Record<string, unknown>) =>
  new StoreError('VALIDATION_FAILED', message, details);
