/** An RFC 9457 problem document as the store answers it: `code` is the stable part. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly [extension: string]: unknown;
}

/** The store refused the request; `code` says why (VERSION_CONFLICT, RESTORE_CONFLICT, …). */
export class StoreRequestError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.code}: ${problem.detail}`);
  }

  get code(): string {
    return this.problem.code;
  }

  get status(): number {
    return this.problem.status;
  }
}

/** The store could not be reached, or answered with something that is not a problem document. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
