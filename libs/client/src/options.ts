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
