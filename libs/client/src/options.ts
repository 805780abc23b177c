import type { Position, WrittenAt } from './types';

/** The options of the client's calls. */
export interface CallOptions {
  readonly signal?: AbortSignal;
}

export interface ReadOptions extends CallOptions {
  /**
   * Read-your-writes: the read waits until the service has this position (or the write result
   * that carries it); a replica that does not reach it in time answers 504 READ_TIMEOUT, retried.
   */
  readonly minPosition?: Position | WrittenAt;
}

export interface WriteOptions extends CallOptions {
  /** One is generated when not given; every retry of the call sends the same, so it applies once. */
  readonly idempotencyKey?: string;
  /** The token of the namespace's freeze (X-Lock-Token): needed to write while it is frozen. */
  readonly lockToken?: number;
  /** `{lock, token}` (X-Fencing-Token): refused with 409 FENCED once that lock was granted a higher token. */
  readonly fencingToken?: { readonly lock: string; readonly token: number };
}

export interface LockOptions extends CallOptions {
  /** Who holds the lock, shown to others (default: a random id). */
  readonly owner?: string;
  /** How long the lease runs, 1 to 86400 seconds. */
  readonly ttlSeconds: number;
}

/** What `withLock` hands the function it runs. */
export interface LockLease {
  readonly token: number;
  /** Aborted when the lease is lost (a renewal refused, or not renewed before it ran out). */
  readonly signal: AbortSignal;
}

export interface WithLockOptions extends LockOptions {
  /** How often the lease is renewed while the function runs (default: a third of the ttl). */
  readonly renewEveryMs?: number;
}

export interface PutOptions extends WriteOptions {
  readonly metadata?: Readonly<Record<string, string>>;
  readonly ttlSeconds?: number;
  /** 0: the key must not exist; n: the key must be at version n. */
  readonly expectedVersion?: number;
}

export interface DeleteOptions extends WriteOptions {
  readonly expectedVersion?: number;
  /** Delete for good: not restorable. */
  readonly purge?: boolean;
}

export interface PageOptions {
  /** Entries per page, 1-1000 (the service's default is 100). */
  readonly limit?: number;
  /** The nextCursor of the previous page. */
  readonly cursor?: string;
}

export interface ListOptions extends ReadOptions, PageOptions {
  readonly prefix?: string;
  /** Also deleted entries, with deletedAt and restorable. */
  readonly includeDeleted?: boolean;
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
