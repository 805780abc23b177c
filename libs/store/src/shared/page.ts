import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
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

/** Bytes of HMAC-SHA256 kept in a cursor: 128 bits, enough that a forged cursor is never accepted. */
const MAC_BYTES = 16;
/** The least secret a store signs cursors with. */
export const CURSOR_SECRET_MIN_BYTES = 32;

/**
 * Page cursors: opaque and URL-safe to clients, issued and checked by this store. A cursor is the
 * last key (or revision) returned, as base64url JSON, then `.` and a base64url HMAC-SHA256 of that
 * text under the store's cursor secret; a cursor made or altered by hand is refused with
 * CURSOR_INVALID. The secret is kept beside the data (see runtime/cursor-secret.ts), so cursors
 * survive restarts and pass between processes that share it.
 */
export class PageCursors {
  private readonly secret: Buffer;

  constructor(secret: Buffer) {
    if (secret.length < CURSOR_SECRET_MIN_BYTES) throw new Error(`a cursor secret has at least ${CURSOR_SECRET_MIN_BYTES} bytes`);
    this.secret = Buffer.from(secret);
  }

  /** Test and tool use: cursors under a fresh random secret (not persisted). */
  static ephemeral(): PageCursors {
    return new PageCursors(randomBytes(CURSOR_SECRET_MIN_BYTES));
  }

  forKey(lastKey: string): string {
    return this.seal({ k: lastKey });
  }

  forRevision(lastRevision: number): string {
    return this.seal({ r: lastRevision });
  }

  key(cursor: string): string {
    const key = this.open(cursor)?.k;
    if (typeof key === 'string' && key.length > 0) return key;
    throw cursorInvalid(cursor);
  }

  revision(cursor: string): number {
    const revision = this.open(cursor)?.r;
    if (Number.isSafeInteger(revision) && (revision as number) >= 0) return revision as number;
    throw cursorInvalid(cursor);
  }

  private seal(payload: object): string {
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  private open(cursor: string): Record<string, unknown> | undefined {
    const dot = cursor.indexOf('.');
    if (dot < 1) return undefined;
    const body = cursor.slice(0, dot);
    const given = Buffer.from(cursor.slice(dot + 1), 'base64url');
    if (given.length !== MAC_BYTES || !timingSafeEqual(given, this.mac(body))) return undefined;
    if (given.toString('base64url') !== cursor.slice(dot + 1)) return undefined; // one spelling only
    try {
      const payload: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      return typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  private mac(body: string): Buffer {
    return createHmac('sha256', this.secret).update(`hexastore-cursor:${body}`).digest().subarray(0, MAC_BYTES);
  }
}

const cursorInvalid = (cursor: string) =>
  new StoreError('CURSOR_INVALID', 'the cursor is not one this store issued', { cursor: cursor.slice(0, 100) });

/** One page of items sorted by key (compareKeys), from an in-memory list (states rebuilt from the log). */
export function pageByKey<T extends { key: string }>(
  sorted: readonly T[], options: PageOptions, cursors: PageCursors,
): { items: T[]; nextCursor: string | null } {
  const limit = checkLimit(options.limit);
  const after = options.cursor === undefined ? undefined : cursors.key(options.cursor);
  const start = after === undefined ? 0 : sorted.findIndex((item) => compareKeys(item.key, after) > 0);
  const items = start < 0 ? [] : sorted.slice(start, start + limit);
  const more = start >= 0 && start + limit < sorted.length;
  return { items, nextCursor: more ? cursors.forKey(items[items.length - 1].key) : null };
}
