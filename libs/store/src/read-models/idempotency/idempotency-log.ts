import type { Database, Statement } from 'better-sqlite3';
import { decodingProjection, StoreProjection } from '../../events/store-projection';
import { IdempotencyClaim } from '../../shared/idempotency';
import { IdempotencyMetadata, REQUEST_ANSWERED, RequestAnsweredData } from '../../events/request-answered';
import { namespaceStream } from '../../shared/store-events';

export type { IdempotencyMetadata } from '../../events/request-answered';
export { IDEMPOTENCY_STREAM, REQUEST_ANSWERED } from '../../events/request-answered';
/** The data of an answer; the event's type is IdempotentRequestAnswered. */
export type RequestAnswered = RequestAnsweredData;

/**
 * Idempotency, one mechanism for every backend. The events of a write carry its key and request
 * fingerprint in their metadata, so the write and its claim are one atomic append to the namespace
 * stream: of two writers racing on the same retried request, the second finds the key once its read
 * models have caught up with the stream, and writes nothing. The answer is recorded beside the claim
 * in the projector's transaction that applies the write (on the embedded log, the append's own
 * transaction). Answers recorded in IDEMPOTENCY_STREAM by earlier versions are still read.
 */
export const idempotencyMetadata = (claim: IdempotencyClaim): IdempotencyMetadata => ({
  idempotencyKey: claim.key,
  requestFingerprint: claim.fingerprint,
});

export const idempotencyLogTypedProjection: StoreProjection = {
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
    // A purge forgets the key's value in the answers kept for retries too (a put's answer is the entry).
    const forget = db.prepare(
      `UPDATE idempotency_log SET response = json_set(json_remove(response, '$.value', '$.valueBase64', '$.metadata'), '$.redacted', 'purged')
       WHERE stream = ? AND response IS NOT NULL AND json_valid(response) AND json_type(response) = 'object' AND json_extract(response, '$.key') = ?`,
    );
    return (event) => {
      if (event.type === 'StoreEntryPurged') forget.run(namespaceStream(event.data.namespace), event.data.key);
      if (event.type === REQUEST_ANSWERED) {
        answered.run(event.data.key, event.data.fingerprint, JSON.stringify(event.data.response));
        return;
      }
      const { idempotencyKey, requestFingerprint } = event.metadata;
      if (idempotencyKey === undefined || requestFingerprint === undefined) return;
      written.run(idempotencyKey, requestFingerprint, event.stream, event.revision, event.revision);
    };
  },
};

export const idempotencyLogProjection = decodingProjection(idempotencyLogTypedProjection);

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
  private readonly answer: Statement;

  constructor(db: Database) {
    this.find = db.prepare('SELECT * FROM idempotency_log WHERE key = ?');
    this.answer = db.prepare('UPDATE idempotency_log SET response = ? WHERE key = ? AND response IS NULL');
  }

  /** Records the answer to a write whose claim is projected; the first answer stands. */
  recordAnswer(key: string, response: unknown): void {
    this.answer.run(JSON.stringify(response), key);
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
