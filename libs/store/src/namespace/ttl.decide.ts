import { EntryEvent, isExpired } from './entry';
import { checkExpectedVersion, checkTtl, requireLive, WriteRules } from './entry.decide';
import { NamespaceState } from './namespace';
import { validateKey } from '../shared/names';

export interface SetTtlOp {
  readonly key: string;
  /** Seconds from now; null clears the expiry. */
  readonly ttlSeconds: number | null;
  readonly expectedVersion?: number;
}

/** SetTTL: a new absolute expiry (or none) for a live entry; it is a change, so the version moves on. */
export function decideSetTtl(op: SetTtlOp, state: NamespaceState, { now, limits }: WriteRules): EntryEvent[] {
  validateKey(op.key, limits.maxKeyBytes);
  const expiresAt = op.ttlSeconds === null ? null : now.getTime() + checkTtl(op.ttlSeconds, limits) * 1000;
  const live = requireLive(state.name, op.key, state.entries.get(op.key), now);
  checkExpectedVersion(op, live);
  return [{ type: 'StoreEntryTtlSet', data: { namespace: state.name, key: op.key, version: live.version + 1, expiresAt } }];
}

/**
 * ExpireEntries, the sweeper's command: records the expiry of each given key whose expiry has
 * passed by `now`, live or deleted. Decided on fresh state, it refuses a key already expired
 * (absent), re-written or given a new TTL, so concurrent sweepers record each expiry once.
 */
export function decideExpiry(keys: readonly string[], state: NamespaceState, now: Date): EntryEvent[] {
  return [...new Set(keys)].flatMap((key): EntryEvent[] => {
    const entry = state.entries.get(key);
    return entry && isExpired(entry, now.getTime())
      ? [{ type: 'StoreEntryExpired', data: { namespace: state.name, key, version: entry.version } }]
      : [];
  });
}
