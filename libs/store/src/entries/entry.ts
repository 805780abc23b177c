import { DomainEvent } from '../shared/store-events';

/** A value as events and responses carry it: text when the bytes are valid UTF-8, else base64. */
export type EncodedValue = { value: string; valueBase64?: never } | { valueBase64: string; value?: never };

export type EntryWrittenData = EncodedValue & {
  readonly namespace: string;
  readonly key: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly version: number;
  /** Epoch milliseconds, or null when the entry does not expire. */
  readonly expiresAt: number | null;
};

export interface EntryDeletedData {
  readonly namespace: string;
  readonly key: string;
  /** The version that was deleted. */
  readonly version: number;
}

export type EntryCreated = DomainEvent<'StoreEntryCreated', EntryWrittenData>;
export type EntryUpdated = DomainEvent<'StoreEntryUpdated', EntryWrittenData>;
export type EntryDeleted = DomainEvent<'StoreEntryDeleted', EntryDeletedData>;
export type EntryEvent = EntryCreated | EntryUpdated | EntryDeleted;

/** What the decider knows of a key: absent keys have no state. */
export interface EntryState {
  readonly version: number;
  readonly expiresAt: number | null;
}

export const isLive = (entry: EntryState | undefined, nowMs: number): entry is EntryState =>
  entry !== undefined && (entry.expiresAt === null || entry.expiresAt > nowMs);

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
