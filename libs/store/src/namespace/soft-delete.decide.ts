import { enforceQuota } from './quota.decide';
import { EntryEvent, isExpired } from './entry';
import { checkExpectedVersion, entryNotFound, requireLive, WriteRules } from './entry.decide';
import { NamespaceState } from './namespace';
import { StoreError } from '../shared/errors';
import { validateKey } from '../shared/names';

export interface KeyOp {
  readonly key: string;
  readonly expectedVersion?: number;
}

/**
 * RestoreEntry: a deleted entry comes back with its last value, metadata and expiry. Restoring
 * undoes the delete, so the version continues (deleted version + 1) and createdAt is kept; a put
 * after a delete is a new entry instead, at version 1.
 */
export function decideRestore(op: KeyOp, state: NamespaceState, { now, limits }: WriteRules): EntryEvent[] {
  validateKey(op.key, limits.maxKeyBytes);
  const current = state.entries.get(op.key);
  if (!current) throw entryNotFound(state.name, op.key);
  if (isExpired(current, now.getTime())) throw entryNotFound(state.name, op.key, ': its TTL has passed');
  if (!current.deleted) {
    throw new StoreError('ENTRY_NOT_DELETED', `entry ${JSON.stringify(op.key)} is not deleted: there is nothing to restore`, {
      key: op.key, version: current.version,
    });
  }
  if (!current.content) throw new Error('restoring needs the entry content loaded');
  const data = { namespace: state.name, key: op.key, ...current.content, expiresAt: current.expiresAt, version: current.version + 1 };
  const events: EntryEvent[] = [{ type: 'StoreEntryRestored', data }];
  enforceQuota(state, events);
  return events;
}

/** PurgeEntry: a deleted entry is made final; a live one is deleted and purged in one append. */
export function decidePurge(op: KeyOp, state: NamespaceState, { now, limits }: WriteRules): EntryEvent[] {
  validateKey(op.key, limits.maxKeyBytes);
  const current = state.entries.get(op.key);
  const purged = (version: number): EntryEvent => ({ type: 'StoreEntryPurged', data: { namespace: state.name, key: op.key, version } });
  if (current?.deleted) {
    checkExpectedVersion(op, undefined);
    return [purged(current.version)];
  }
  const live = requireLive(state.name, op.key, current, now);
  checkExpectedVersion(op, live);
  return [{ type: 'StoreEntryDeleted', data: { namespace: state.name, key: op.key, version: live.version } }, purged(live.version)];
}
