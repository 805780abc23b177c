import type { Problem } from './types';

/**
 * The store refused the request; `code` says why (VERSION_CONFLICT, CURSOR_STALE, …) and `problem`
 * holds the whole problem document. Subclasses group the codes a caller usually tells apart.
 */
export class StoreRequestError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.code}: ${problem.detail}`);
    this.name = new.target.name;
  }

  get code(): Problem['code'] {
    return this.problem.code;
  }

  get status(): number {
    return this.problem.status;
  }
}

/** 404: no such entry, namespace, consumer, rollback point or snapshot. */
export class NotFoundError extends StoreRequestError {}

/** 409: VERSION_CONFLICT, ENTRY_NOT_DELETED, RESTORE_CONFLICT. */
export class ConflictError extends StoreRequestError {}

/** 410 CURSOR_STALE: the position is from another incarnation of the store (before a restore). */
export class CursorStaleError extends StoreRequestError {}

/** 400: the request itself is wrong (VALIDATION_FAILED, KEY_INVALID, CURSOR_INVALID, …). */
export class InvalidRequestError extends StoreRequestError {}

/** 401 UNAUTHORIZED: no credential, or one the store does not accept (see the `token` option). */
export class UnauthorizedError extends StoreRequestError {}

/** 429 RATE_LIMITED: the caller made more calls than its limit allows; `retryAfter` says in how many seconds to try again. */
export class RateLimitedError extends StoreRequestError {
  get retryAfter(): number | undefined {
    const seconds = this.problem.retryAfterSeconds;
    return typeof seconds === 'number' ? seconds : undefined;
  }
}
/** 403 FORBIDDEN: the caller is known but its grants (or roles) do not allow this call. */
export class ForbiddenError extends StoreRequestError {}

/** The store could not be reached (after the retries), or answered with something that is not a problem document. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}

/** The typed error for a problem document. */
export function problemError(problem: Problem): StoreRequestError {
  switch (problem.status) {
    case 400: return new InvalidRequestError(problem);
    case 401: return new UnauthorizedError(problem);
    case 403: return new ForbiddenError(problem);
    case 404: return new NotFoundError(problem);
    case 409: return new ConflictError(problem);
    case 410: return new CursorStaleError(problem);
    case 429: return problem.code === 'RATE_LIMITED' ? new RateLimitedError(problem) : new StoreRequestError(problem);
    default: return new StoreRequestError(problem);
  }
}

/** Whether an error is the store's refusal with this code. */
export const isProblem = (error: unknown, code: Problem['code']): error is StoreRequestError =>
  error instanceof StoreRequestError && error.code === code;

/** withLock: the lease was lost while the function ran (its signal was aborted); `cause` says why. */
export class LockLostError extends Error {
  constructor(readonly lock: string, readonly token: number, options?: { cause?: unknown }) {
    super(`lost lock ${lock} (token ${token})`, options);
    this.name = new.target.name;
  }
}
