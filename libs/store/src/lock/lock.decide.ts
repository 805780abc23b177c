import { evolveLock, LockAcquired, LockEvent, LockExpired, LockState, liveHolder } from './lock';
import { invalid, StoreError } from '../shared/errors';

/** A lease runs 1 s to 1 day. */
export const MAX_LOCK_TTL_SECONDS = 86_400;
const MAX_OWNER_LENGTH = 256;

export function checkLeaseTtl(ttlSeconds: unknown): number {
  if (typeof ttlSeconds !== 'number' || !Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_LOCK_TTL_SECONDS) {
    throw invalid(`ttlSeconds is a whole number of seconds from 1 to ${MAX_LOCK_TTL_SECONDS}`, { field: 'ttlSeconds' });
  }
  return ttlSeconds;
}

export function checkOwner(owner: unknown): string {
  if (typeof owner !== 'string' || owner.length === 0 || owner.length > MAX_OWNER_LENGTH || /[\u0000-\u001f\u007f-\u009f]/.test(owner)) {
    throw invalid(`owner is 1-${MAX_OWNER_LENGTH} characters without control characters`, { field: 'owner' });
  }
  return owner;
}

export function checkToken(token: unknown): number {
  if (typeof token !== 'number' || !Number.isSafeInteger(token) || token < 1) {
    throw invalid('token is the whole number an acquisition answered', { field: 'token' });
  }
  return token;
}

/**
 * Tokens only grow. Within a stream the next one is above the last; its floor is the clock in
 * microseconds, so that a store that lost a lock's stream (a restore into a new data directory)
 * still grants tokens above every one it granted before, as long as its clock has not gone back
 * and one lock was not granted more than a thousand times a millisecond.
 */
export const nextToken = (state: LockState, now: Date): number => Math.max(state.lastToken + 1, now.getTime() * 1000);

/**
 * Acquire: granted when nobody holds the lock or the holder's lease ran out (its expiry is
 * recorded first, in the same append). Held by another (or by the same owner: a holder renews) → LOCK_HELD.
 */
export function decideAcquire(state: LockState, owner: unknown, ttlSeconds: unknown, now: Date): LockEvent[] {
  const who = checkOwner(owner);
  const ttl = checkLeaseTtl(ttlSeconds);
  const live = liveHolder(state, now);
  if (live) {
    throw new StoreError('LOCK_HELD', `lock ${state.name} is held by ${live.owner} until ${new Date(live.expiresAt).toISOString()}`, {
      lock: state.name, owner: live.owner, expiresAt: new Date(live.expiresAt).toISOString(),
    });
  }
  const expired = decideExpire(state, now);
  const acquired: LockAcquired = {
    type: 'StoreLockAcquired',
    data: { lock: state.name, owner: who, token: nextToken(state, now), expiresAt: now.getTime() + ttl * 1000 },
  };
  return [...expired, acquired];
}

/** Renew: the live holder's token moves its expiry to now + ttl. */
export function decideRenew(state: LockState, token: unknown, ttlSeconds: unknown, now: Date): LockEvent[] {
  const held = requireHolder(state, checkToken(token), now);
  const ttl = checkLeaseTtl(ttlSeconds);
  return [{ type: 'StoreLockRenewed', data: { lock: state.name, token: held.token, expiresAt: now.getTime() + ttl * 1000 } }];
}

/** Release: the live holder's token lets the lock go. */
export function decideRelease(state: LockState, token: unknown, now: Date): LockEvent[] {
  const held = requireHolder(state, checkToken(token), now);
  return [{ type: 'StoreLockReleased', data: { lock: state.name, token: held.token } }];
}

/** The sweeper's decision: records the expiry of a lease that ran out, once; nothing otherwise. */
export function decideExpire(state: LockState, now: Date): LockExpired[] {
  const { holder } = state;
  if (!holder || holder.expiresAt > now.getTime()) return [];
  return [{ type: 'StoreLockExpired', data: { lock: state.name, token: holder.token, expiresAt: holder.expiresAt } }];
}

function requireHolder(state: LockState, token: number, now: Date) {
  const live = liveHolder(state, now);
  if (!live || live.token !== token) {
    throw new StoreError('LOCK_TOKEN_INVALID', `token ${token} does not hold lock ${state.name}${live ? '' : ' (nobody holds it)'}`, {
      lock: state.name, token,
    });
  }
  return live;
}

/** The state after a decision, as the append will leave it. */
export const lockAfter = (state: LockState, events: readonly LockEvent[]): LockState => events.reduce(evolveLock, state);
