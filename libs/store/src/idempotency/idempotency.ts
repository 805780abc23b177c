import type { Database, Statement } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { StoreError } from '../shared/errors';
import { IdempotencyClaim } from '../write-path/namespace-writer';

/** What makes two requests "the same" for an Idempotency-Key: operation and canonical body. */
export function fingerprint(operation: string, body: unknown): string {
  return createHash('sha256').update(operation).update('\n').update(JSON.stringify(body ?? null)).digest('base64url');
}

export const keyReused = (claim: IdempotencyClaim) =>
  new StoreError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request', { idempotencyKey: claim.key });

export const IDEMPOTENCY_SCHEMA = `
CREATE TABLE IF NOT EXISTS idempotency_records (
  key         TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  response    TEXT NOT NULL,
  created_at  INTEGER NOT NULL
) STRICT;`;

/**
 * Idempotency records live beside the log and are written in the same transaction as the events
 * of the request they answer, so a retry after a crash or restart sees either both or neither.
 */
export class IdempotencyRecords {
  private readonly find: Statement;
  private readonly insert: Statement;

  constructor(db: Database) {
    db.exec(IDEMPOTENCY_SCHEMA);
    this.find = db.prepare('SELECT fingerprint, response FROM idempotency_records WHERE key = ?');
    this.insert = db.prepare('INSERT INTO idempotency_records (key, fingerprint, response, created_at) VALUES (?, ?, ?, ?)');
  }

  /** The earlier answer to this claim, if any; a different request under the same key is refused. */
  replay<R>(claim: IdempotencyClaim): R | undefined {
    const row = this.find.get(claim.key) as { fingerprint: string; response: string } | undefined;
    if (!row) return undefined;
    if (row.fingerprint !== claim.fingerprint) throw keyReused(claim);
    return JSON.parse(row.response) as R;
  }

  record(claim: IdempotencyClaim, response: unknown, nowMs: number): void {
    this.insert.run(claim.key, claim.fingerprint, JSON.stringify(response), nowMs);
  }
}
