import { LockLostError, StoreRequestError } from './errors';
import type { LockLease, WithLockOptions } from './options';
import type { LockGrant } from './types';

/** The lock calls withLock needs. */
export interface LockCalls {
  acquireLock(name: string, options: { owner?: string; ttlSeconds: number }): Promise<LockGrant>;
  renewLock(name: string, token: number, ttlSeconds: number): Promise<LockGrant>;
  releaseLock(name: string, token: number): Promise<void>;
}

/**
 * Acquires the lock, runs `fn` while renewing the lease every `renewEveryMs`, then releases it.
 * When the lease is lost — a renewal refused (the store answered a problem), or no renewal got
 * through before the lease ran out by this process's clock — `fn`'s signal is aborted and withLock
 * rejects with LockLostError, whatever `fn` answers.
 */
export async function withLock<T>(
  calls: LockCalls, name: string, fn: (lease: LockLease) => Promise<T> | T, options: WithLockOptions,
): Promise<T> {
  const ttlMs = options.ttlSeconds * 1000;
  const startedAt = Date.now();
  const grant = await calls.acquireLock(name, { owner: options.owner, ttlSeconds: options.ttlSeconds });
  const controller = new AbortController();
  let lost: LockLostError | undefined;
  let deadline = startedAt + ttlMs;
  let timer: NodeJS.Timeout | undefined;
  let expiry: NodeJS.Timeout | undefined;
  let stopped = false;
  const lose = (cause: unknown) => {
    if (lost || stopped) return;
    lost = new LockLostError(name, grant.token, { cause });
    clearTimeout(timer);
    clearTimeout(expiry);
    controller.abort(lost);
  };
  const watchExpiry = () => {
    clearTimeout(expiry);
    expiry = setTimeout(() => lose(new Error('the lease ran out before a renewal got through')), Math.max(0, deadline - Date.now()));
  };
  const renewEveryMs = options.renewEveryMs ?? Math.max(1, Math.floor(ttlMs / 3));
  const renew = async () => {
    const sentAt = Date.now();
    try {
      await calls.renewLock(name, grant.token, options.ttlSeconds);
      deadline = sentAt + ttlMs;
      watchExpiry();
    } catch (error) {
      if (error instanceof StoreRequestError) return lose(error);
      // Out of reach: try again until the lease runs out (watchExpiry then aborts).
    }
    if (!lost && !stopped) timer = setTimeout(() => void renew(), renewEveryMs);
  };
  watchExpiry();
  timer = setTimeout(() => void renew(), renewEveryMs);
  const onAbort = () => lose(options.signal!.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await fn({ token: grant.token, signal: controller.signal });
    if (lost) throw lost;
    return result;
  } catch (error) {
    throw lost ?? error;
  } finally {
    stopped = true;
    clearTimeout(timer);
    clearTimeout(expiry);
    options.signal?.removeEventListener('abort', onAbort);
    if (!lost) await calls.releaseLock(name, grant.token).catch(() => undefined);
  }
}
