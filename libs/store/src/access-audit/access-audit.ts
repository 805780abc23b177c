/**
 * StoreAccessAudit: who called what, and what came of it — kept apart from the event log (it is
 * not data: it is never in the feed, a backup or a rebuild), batched off the write path.
 */

/** What came of a call: served, refused for who asked (401/403), refused for what was asked (other 4xx), rate limited (429), failed (5xx or cut). */
export const ACCESS_OUTCOMES = ['allowed', 'denied', 'rejected', 'limited', 'failed'] as const;
export type AccessOutcome = (typeof ACCESS_OUTCOMES)[number];

/** One call as the transport answered it. Never a credential, a value or a body. */
export interface AccessRecord {
  /** The authenticated user; null when the call proved no identity (401). */
  readonly actor: string | null;
  /** What was called, as the transport names it (HTTP: `METHOD /route/:pattern`). */
  readonly operation: string;
  readonly namespace: string | null;
  readonly key: string | null;
  readonly outcome: AccessOutcome;
  /** The transport's status (HTTP status code). */
  readonly status: number;
  readonly requestId: string;
  /** ISO 8601, UTC. */
  readonly time: string;
}

export interface AccessAuditFilter {
  readonly actor?: string;
  readonly outcome?: AccessOutcome;
}

/** A stored record with its sequence number (the page cursor). */
export interface AccessAuditItem extends AccessRecord {
  readonly id: number;
}

/** The outcome of an HTTP-like status: what every transport maps its answer to. */
export function outcomeOf(status: number, completed = true): AccessOutcome {
  if (!completed || status >= 500) return 'failed';
  if (status === 401 || status === 403) return 'denied';
  if (status === 429) return 'limited';
  if (status >= 400) return 'rejected';
  return 'allowed';
}

/** The port: transports record, the query reads. */
export abstract class AccessAudit {
  /** Queues one record; it is written with the next batch (never on the caller's path). */
  abstract record(record: AccessRecord): void;
  /** The namespace's records that pass the filter, newest first, with ids below `before`. */
  abstract page(namespace: string, filter: AccessAuditFilter, before: number, limit: number): AccessAuditItem[];
  /** Writes what is queued now. */
  abstract flush(): void;
  abstract close(): void;
}
