import { invalid, StoreError } from './errors';
import { compareKeys } from './names';

export const LIST_LIMIT = { default: 100, max: 1000 };

export interface PageOptions {
  readonly limit?: number;
  readonly cursor?: string;
}

export function checkLimit(limit = LIST_LIMIT.default): number {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_LIMIT.max) throw invalid(`limit is a whole number from 1 to ${LIST_LIMIT.max}`);
  return limit;
}

/** Page cursors are opaque to clients: the last key (or revision) returned, wrapped so their form can change. */
export const encodeKeyCursor = (lastKey: string) => encode({ k: lastKey });
export const encodeRevisionCursor = (lastRevision: number) => encode({ r: lastRevision });

export function decodeKeyCursor(cursor: string): string {
  const key = decode(cursor)?.k;
  if (typeof key === 'string' && key.length > 0) return key;
  throw cursorInvalid(cursor);
}

export function decodeRevisionCursor(cursor: string): number {
  const revision = decode(cursor)?.r;
  if (Number.isSafeInteger(revision) && (revision as number) >= 0) return revision as number;
  throw cursorInvalid(cursor);
}

const encode = (payload: object) => Buffer.from(JSON.stringify(payload)).toString('base64url');

function decode(cursor: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const cursorInvalid = (cursor: string) =>
  new StoreError('CURSOR_INVALID', 'the cursor is not one this store issued', { cursor: cursor.slice(0, 100) });

/** One page of items sorted by key (compareKeys), from an in-memory list (states rebuilt from the log). */
export function pageByKey<T extends { key: string }>(sorted: readonly T[], options: PageOptions): { items: T[]; nextCursor: string | null } {
  const limit = checkLimit(options.limit);
  const after = options.cursor === undefined ? undefined : decodeKeyCursor(options.cursor);
  const start = after === undefined ? 0 : sorted.findIndex((item) => compareKeys(item.key, after) > 0);
  const items = start < 0 ? [] : sorted.slice(start, start + limit);
  const more = start >= 0 && start + limit < sorted.length;
  return { items, nextCursor: more ? encodeKeyCursor(items[items.length - 1].key) : null };
}
