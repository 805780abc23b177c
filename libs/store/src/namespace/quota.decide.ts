import { NO_QUOTA, Quota, QuotaSet } from './governance';
import { evolve, NamespaceEvent, NamespaceState, requireExists } from './namespace';
import { EncodedValue, entryBytes, isEntryWrittenType, SEALED_PREFIX, sealedValueBytes } from './entry';
import { invalid, StoreError } from '../shared/errors';

/** A quota change: a field left out keeps its limit, null clears it. */
export interface QuotaChange {
  readonly maxEntries?: number | null;
  readonly maxBytes?: number | null;
}

export function checkQuota(change: QuotaChange): void {
  for (const field of ['maxEntries', 'maxBytes'] as const) {
    const v = change[field];
    if (v !== undefined && v !== null && (!Number.isSafeInteger(v) || v < 0)) {
      throw invalid(`${field} is a whole number >= 0, or null to clear it`, { field });
    }
  }
}

/** SetQuota: replaces the limits of an existing namespace; the same limits again write nothing. */
export function decideSetQuota(state: NamespaceState, change: QuotaChange): QuotaSet[] {
  checkQuota(change);
  requireExists(state);
  const quota: Quota = {
    maxEntries: change.maxEntries === undefined ? state.quota.maxEntries : change.maxEntries,
    maxBytes: change.maxBytes === undefined ? state.quota.maxBytes : change.maxBytes,
  };
  if (quota.maxEntries === state.quota.maxEntries && quota.maxBytes === state.quota.maxBytes) return [];
  return [{ type: 'StoreQuotaSet', data: { namespace: state.name, ...quota } }];
}

/** The quota the config file declares, or none: the events that bring the namespace to it. */
export function decideDeclaredQuota(state: NamespaceState, declared: Quota | undefined): QuotaSet[] {
  const quota = declared ?? NO_QUOTA;
  if (quota.maxEntries === state.quota.maxEntries && quota.maxBytes === state.quota.maxBytes) return [];
  return [{ type: 'StoreQuotaSet', data: { namespace: state.name, ...quota } }];
}

/**
 * Refuses events that would take the namespace past a limit. Only growth is refused: a namespace
 * above a limit lowered after the fact may still shrink or keep its size.
 */
export function enforceQuota(state: NamespaceState, events: readonly NamespaceEvent[]): void {
  const { maxEntries, maxBytes } = state.quota;
  if (maxEntries === null && maxBytes === null) return;
  const after = (state.encrypted ? events.map(asStored) : events).reduce(evolve, state);
  const check = (limit: 'maxEntries' | 'maxBytes', max: number | null, used: number, wanted: number) => {
    if (max === null || wanted <= used || wanted <= max) return;
    throw new StoreError(
      'QUOTA_EXCEEDED',
      `namespace ${state.name} is limited to ${max} ${limit === 'maxEntries' ? 'entries' : 'bytes'}: ${used} used, this write asks for ${wanted - used} more`,
      { namespace: state.name, limit, max, used, requested: wanted - used },
    );
  };
  check('maxEntries', maxEntries, state.entryCount, after.entryCount);
  check('maxBytes', maxBytes, state.bytes, after.bytes);
}

/**
 * A write as an encrypted namespace will store it: values are sealed after the decision, so the
 * check counts the sealed size the log and the read models will count (a value already sealed —
 * restored, rolled back — as it is).
 */
function asStored(event: NamespaceEvent): NamespaceEvent {
  if (!isEntryWrittenType(event.type)) return event;
  const data = (event as { data: EncodedValue & { key: string } }).data;
  if (data.value?.startsWith(SEALED_PREFIX)) return event;
  const plain = entryBytes('', data);
  return { ...event, data: { ...data, value: 'x'.repeat(sealedValueBytes(plain)), valueBase64: undefined } } as NamespaceEvent;
}
