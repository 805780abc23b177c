import { StoreError } from '../shared/errors';
import { DomainEvent, STREAM_PREFIX } from '../shared/store-events';

/**
 * A lock: a named lease with a fencing token. Every lock has a stream of its own; a namespace's
 * freeze is the lock `namespace/<ns>` (a name no caller can give a lock of its own).
 */
export type LockAcquired = DomainEvent<'StoreLockAcquired', {
  readonly lock: string;
  readonly owner: string;
  readonly token: number;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
}>;
export type LockRenewed = DomainEvent<'StoreLockRenewed', { readonly lock: string; readonly token: number; readonly expiresAt: number }>;
export type LockReleased = DomainEvent<'StoreLockReleased', { readonly lock: string; readonly token: number }>;
/** The holder's lease ran out: recorded once, by the sweeper or by the acquisition that follows it. */
export type LockExpired = DomainEvent<'StoreLockExpired', { readonly lock: string; readonly token: number; readonly expiresAt: number }>;

export type LockEvent = LockAcquired | LockRenewed | LockReleased | LockExpired;
export const LOCK_EVENT_TYPES: readonly LockEvent['type'][] = ['StoreLockAcquired', 'StoreLockRenewed', 'StoreLockReleased', 'StoreLockExpired'];

export interface LockHolder {
  readonly owner: string;
  readonly token: number;
  readonly expiresAt: number;
}

export interface LockState {
  readonly name: string;
  /** Revision of the lock's stream; undefined while it has none. */
  readonly revision: number | undefined;
  /** The highest token ever granted (0: none); the next grant is above it. */
  readonly lastToken: number;
  /** The holder as recorded: its lease may have run out by the clock before its expiry is recorded. */
  readonly holder: LockHolder | null;
}

export const initialLockState = (name: string): LockState => ({ name, revision: undefined, lastToken: 0, holder: null });

export function evolveLock(state: LockState, event: LockEvent): LockState {
  const revision = (state.revision ?? -1) + 1;
  switch (event.type) {
    case 'StoreLockAcquired': {
      const { owner, token, expiresAt } = event.data;
      return { ...state, revision, lastToken: Math.max(state.lastToken, token), holder: { owner, token, expiresAt } };
    }
    case 'StoreLockRenewed':
      return { ...state, revision, holder: state.holder && { ...state.holder, expiresAt: event.data.expiresAt } };
    case 'StoreLockReleased':
    case 'StoreLockExpired':
      return { ...state, revision, holder: null };
  }
}

/** The holder whose lease still runs at `now`, if any. */
export const liveHolder = (state: LockState, now: Date): LockHolder | undefined =>
  state.holder && state.holder.expiresAt > now.getTime() ? state.holder : undefined;

export const LOCK_NAME_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$/;
const NAMESPACE_LOCK_PREFIX = 'namespace/';

export function validateLockName(name: string): string {
  if (!LOCK_NAME_PATTERN.test(name)) {
    throw new StoreError(
      'VALIDATION_FAILED',
      'a lock name is 1-128 characters of A-Z, a-z, 0-9, ".", "_", "-", starting and ending with a letter or digit',
      { lock: name.slice(0, 100) },
    );
  }
  return name;
}

/** The lock that freezes a namespace. */
export const namespaceLock = (namespace: string) => `${NAMESPACE_LOCK_PREFIX}${namespace}`;

/** The namespace a lock freezes, undefined for a named lock. */
export const frozenNamespace = (lock: string): string | undefined =>
  lock.startsWith(NAMESPACE_LOCK_PREFIX) ? lock.slice(NAMESPACE_LOCK_PREFIX.length) : undefined;
export const lockStream = (lock: string) => `${STREAM_PREFIX}_lock-${lock}`;
