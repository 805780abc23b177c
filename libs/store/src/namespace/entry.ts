import { DomainEvent } from '../shared/store-events';

/** A value as events and responses carry it: text when the bytes are valid UTF-8, else base64. */
export type EncodedValue = { value: string; valueBase64?: never } | { valueBase64: string; value?: never };

/** What an entry holds besides its counters. */
export type EntryContent = EncodedValue & { readonly metadata: Readonly<Record<string, string>> };

/** Why a write's value reads as forgotten: a later purge of its key. */
export type Redaction = 'purged';

export type EntryWrittenData = EntryContent & {
  /** Set on a write whose value and metadata were forgotten (empty here); the event itself stays. */
  readonly redacted?: Redaction;
  readonly namespace: string;
  readonly key: string;
  readonly version: number;
  /** Epoch milliseconds, or null when the entry does not expire. */
  readonly expiresAt: number | null;
};

export interface EntryVersionData {
  readonly namespace: string;
  readonly key: string;
  /** The version the event ends (deleted, expired, purged). */
  readonly version: number;
}

export interface EntryTtlSetData {
  readonly namespace: string;
  readonly key: string;
  /** The entry's new version. */
  readonly version: number;
  readonly expiresAt: number | null;
}

export type EntryCreated = DomainEvent<'StoreEntryCreated', EntryWrittenData>;
export type EntryUpdated = DomainEvent<'StoreEntryUpdated', EntryWrittenData>;
/** A soft delete: the entry is invisible but restorable until purged. */
export type EntryDeleted = DomainEvent<'StoreEntryDeleted', EntryVersionData>;
/** A deleted entry brought back with its last value; the version continues from the deleted one. */
export type EntryRestored = DomainEvent<'StoreEntryRestored', EntryWrittenData>;
/** A deleted entry made final: no longer restorable (the log keeps its history). */
export type EntryPurged = DomainEvent<'StoreEntryPurged', EntryVersionData>;
export type EntryTtlSet = DomainEvent<'StoreEntryTtlSet', EntryTtlSetData>;
/** The entry's expiry passed: it is gone for good, live or deleted. */
export type EntryExpired = DomainEvent<'StoreEntryExpired', EntryVersionData>;
export type EntryEvent = EntryCreated | EntryUpdated | EntryDeleted | EntryRestored | EntryPurged | EntryTtlSet | EntryExpired;

export const ENTRY_EVENT_TYPES: ReadonlySet<string> = new Set<EntryEvent['type']>([
  'StoreEntryCreated', 'StoreEntryUpdated', 'StoreEntryDeleted', 'StoreEntryRestored', 'StoreEntryPurged', 'StoreEntryTtlSet',
  'StoreEntryExpired',
]);

export const isEntryWrittenType = (type: string): boolean =>
  type === 'StoreEntryCreated' || type === 'StoreEntryUpdated' || type === 'StoreEntryRestored';

export const isEntryEvent = (event: { type: string }): event is EntryEvent => ENTRY_EVENT_TYPES.has(event.type);

/** What the decider knows of a key: keys that are absent (never written, expired, purged) have no state. */
export interface EntryState {
  readonly version: number;
  readonly expiresAt: number | null;
  /** Soft-deleted: invisible, restorable until purged. */
  readonly deleted: boolean;
  /** Key and value bytes (what quotas count). */
  readonly bytes: number;
  /** Value and metadata: loaders fill them only for the decisions that need them (restore, rollback). */
  readonly content?: EntryContent;
}

export const isExpired = (entry: { expiresAt: number | null }, nowMs: number) => entry.expiresAt !== null && entry.expiresAt <= nowMs;

/** Visible to reads: written, not deleted, not expired. */
export const isLive = (entry: EntryState | undefined, nowMs: number): entry is EntryState =>
  entry !== undefined && !entry.deleted && !isExpired(entry, nowMs);

export const sameContent = (a: EntryContent, b: EntryContent): boolean =>
  a.value === b.value && a.valueBase64 === b.valueBase64 && sameMetadata(a.metadata, b.metadata);

function sameMetadata(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/** What an entry counts against a byte quota: its key's and its value's bytes. */
export const entryBytes = (key: string, value: EncodedValue): number =>
  Buffer.byteLength(key) + (value.valueBase64 !== undefined ? Buffer.from(value.valueBase64, 'base64').length : Buffer.byteLength(value.value!));

/**
 * The text an encrypted namespace stores for a value of `plainBytes` bytes (crypto/sealed-values.ts):
 * `hxs1:<keyId, 36>:<base64 of nonce 12 ‖ type 1 ‖ ciphertext ‖ tag 16>` — what its quota counts.
 */
export const SEALED_PREFIX = 'hxs1:';
export const sealedValueBytes = (plainBytes: number): number => SEALED_PREFIX.length + 37 + 4 * Math.ceil((12 + 1 + plainBytes + 16) / 3);

export const contentOf = (data: EntryContent): EntryContent =>
  data.valueBase64 !== undefined ? { valueBase64: data.valueBase64, metadata: data.metadata } : { value: data.value!, metadata: data.metadata };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function encodeValue(bytes: Uint8Array): EncodedValue {
  try {
    return { value: strictUtf8.decode(bytes) };
  } catch {
    return { valueBase64: Buffer.from(bytes).toString('base64') };
  }
}

export function decodeValue(encoded: EncodedValue): Buffer {
  return encoded.valueBase64 !== undefined
    ? Buffer.from(encoded.valueBase64, 'base64')
    : Buffer.from(encoded.value, 'utf8');
}
