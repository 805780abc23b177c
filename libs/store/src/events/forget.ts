import { isEntryWrittenType, Redaction } from '../namespace/entry';
import { isObject, isString } from './json-guards';
import { StoreEvent } from './store-event';

/** Answers whether a key's state at a revision was later purged. */
export interface PurgedKeys {
  /** True when the key was purged after `revision`: what it held then is forgotten. */
  purgedAfter(namespace: string, key: string, revision: number): boolean;
}

/** An event's data with its value and metadata forgotten: the rest (key, version, expiry) stays. */
export function redactedData<D extends object>(data: D, why: Redaction): D {
  const { value: _v, valueBase64: _b, metadata: _m, ...rest } = data as Record<string, unknown>;
  return { ...rest, value: '', metadata: {}, redacted: why } as unknown as D;
}

/** The event as reads may show it: the value of an entry write that a later purge forgot is redacted. */
export function forgetPurged(event: StoreEvent, purged: PurgedKeys): StoreEvent {
  if (!isEntryWrittenType(event.type) || !('key' in event.data)) return event;
  const data = event.data as { namespace: string; key: string; redacted?: Redaction };
  if (data.redacted !== undefined || !purged.purgedAfter(data.namespace, data.key, event.revision)) return event;
  return { ...event, data: redactedData(event.data, 'purged') } as StoreEvent;
}

/** The same for an event as stored (an archive line): its data is redacted when a later purge forgot it. */
export function forgetPurgedRaw<E extends { type: string; revision: number; data: Record<string, unknown> }>(event: E, purged: PurgedKeys): E {
  const { data } = event;
  if (!isEntryWrittenType(event.type) || !isObject(data) || !isString(data.namespace) || !isString(data.key)) return event;
  if (data.redacted !== undefined || !purged.purgedAfter(data.namespace, data.key, event.revision)) return event;
  return { ...event, data: redactedData(data, 'purged') };
}
