import { randomBytes } from 'node:crypto';

/**
 * A new event id: a UUID version 7 (RFC 9562), whose first 48 bits are the time in milliseconds.
 * Ids written one after another sort one after another, so the log's unique index on ids grows at
 * its right edge: a group commit dirties one or two index pages instead of one per event.
 */
export function newEventId(nowMs: number): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(Math.min(Math.max(Math.trunc(nowMs), 0), 2 ** 48 - 1), 0, 6);
  bytes[6] = (bytes[6] & 0x0f) | 0x70;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
