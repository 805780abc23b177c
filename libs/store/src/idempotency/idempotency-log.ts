import type { Database, Statement } from 'better-sqlite3';
import { EventData, Projection, RecordedEvent } from '@app/event-store';
import { randomUUID } from 'node:crypto';
import { STREAM_PREFIX, StoreEventMetadata } from '../shared/store-events';
import { IdempotencyClaim } from '../write-path/namespace-writer';

/**
 * Idempotency on a log shared by several replicas. The events of a write carry its key and request
 * fingerprint in their metadata, so the write and its claim are one atomic append to the namespace
 * stream: of two replicas racing on the same retried request, the second finds the key once it has
 * caught up with the stream, and writes nothing. The answer follows in IDEMPOTENCY_STREAM (read
 * models need the write projected before they can answer). Both are projected into every replica.
 */
export const IDEMPOTENCY_STREAM = `${STREAM_PREFIX}_idempotency`;
export const REQUEST_ANSWERED = 'StoreIdempotentRequestAnswered';

export type IdempotencyMetadata = { readonly idempotencyKey: string; readonly requestFingerprint: string };

export const idempotencyMetadata = (claim: IdempotencyClaim): IdempotencyMetadata => ({
  idempotencyKey: claim.key,
  requestFingerprint: claim.fingerprint,
});

export interface RequestAnswered {
  readonly key: string;
  readonly fingerprint: string;
  readonly response: unknown;
}

export function requestAnswered(claim: IdempotencyClaim, response: unknown, metadata: StoreEventMetadata): EventData {
  const data: RequestAnswered = { key: claim.key, fingerprint: claim.fingerprint, response };
  return { id: randomUUID(), type: REQUEST_ANSWERED, data, metadata };
}

export const idempotencyLogProjection: Projection = {
  name: 'idempotency-log',
  tables: ['idempotency_log'],
  schema: `
    CREATE TABLE IF NOT EXISTS idempotency_log (
      key            TEXT PRIMARY KEY,
      fingerprint    TEXT NOT NULL,
      stream         TEXT,
      first_revision INTEGER,
      last_revision  INTEGER,
      response       TEXT
    ) STRICT;`,
  bind(db) {
    // A key's events are one append: consecutive revisions of one stream.
    const written = db.prepare(
      `INSERT INTO idempotency_log (key, fingerprint, stream, first_revision, last_revision) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET last_revision = excluded.last_revision
       WHERE stream = excluded.stream AND fingerprint = excluded.fingerprint AND last_revision = excluded.last_revision - 1`,
    );
    // The first answer stands.
    const answered = db.prepare(
      `INSERT INTO idempotency_log (key, fingerprint, response) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET response = excluded.response
       WHERE response IS NULL AND fingerprint = excluded.fingerprint`,
    );
    return (event: RecordedEvent) => {
      if (event.stream === IDEMPOTENCY_STREAM) {
        if (event.type !== REQUEST_ANSWERED) return;
        const data = event.data as RequestAnswered;
        answered.run(data.key, data.fingerprint, JSON.stringify(data.response));
        return;
      }
      const { idempotencyKey, requestFingerprint } = event.metadata as Partial<IdempotencyMetadata>;
      if (typeof idempotencyKey !== 'string' || typeof requestFingerprint !== 'string') return;
      written.run(idempotencyKey, requestFingerprint, event.stream, event.revision, event.revision);
    };
  },
};

export interface IdempotencyEntry {
  readonly fingerprint: string;
  /** The events the key's request wrote; absent for a request that wrote nothing. */
  readonly written?: { readonly stream: string; readonly firstRevision: number; readonly lastRevision: number };
  /** Whether its answer is recorded; `response` is that answer. */
  readonly answered: boolean;
  readonly response?: unknown;
}

interface Row {
  fingerprint: string;
  stream: string | null;
  first_revision: number | null;
  last_revision: number | null;
  response: string | null;
}

export class IdempotencyLog {
  private readonly find: Statement;

  constructor(db: Database) {
    this.find = db.prepare('SELECT * FROM idempotency_log WHERE key = ?');
  }

  get(key: string): IdempotencyEntry | undefined {
    const row = this.find.get(key) as Row | undefined;
    if (!row) return undefined;
    return {
      fingerprint: row.fingerprint,
      written: row.stream === null ? undefined : { stream: row.stream, firstRevision: row.first_revision!, lastRevision: row.last_revision! },
      answered: row.response !== null,
      response: row.response === null ? undefined : JSON.parse(row.response),
    };
  }
}
