import Database from 'better-sqlite3';
import { join } from 'node:path';

export interface LoggedLockEvent {
  stream: string;
  position: number;
  revision: number;
  type: string;
  data: { lock: string; owner?: string; token: number; expiresAt?: number };
  timestamp: string;
  actor: string;
}

/** Reads the data file beside the running service(s) (read-only): the lock events, in log order. */
export function lockEventsOf(dataDir: string, lock?: string): LoggedLockEvent[] {
  const db = new Database(join(dataDir, 'hexastore.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(
      `SELECT position, stream, revision, type, data, metadata FROM events
       WHERE stream LIKE 'store-\\_lock-%' ESCAPE '\\' ORDER BY position`,
    ).all() as { position: number; stream: string; revision: number; type: string; data: string; metadata: string }[];
    return rows
      .map((r) => {
        const metadata = JSON.parse(r.metadata);
        return { ...r, data: JSON.parse(r.data), timestamp: metadata.timestamp, actor: metadata.actor };
      })
      .filter((e) => lock === undefined || e.data.lock === lock);
  } finally {
    db.close();
  }
}

/** How many events the log holds. */
export function eventCount(dataDir: string): number {
  const db = new Database(join(dataDir, 'hexastore.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * Checks one lock's recorded history: never two holders (an acquisition only after the lease
 * before it was released or recorded expired, and not before that lease's end), tokens strictly
 * increasing, renewals, releases and expiries only by the holder, an expiry only once its lease ran out.
 * Answers the problems found (none: the history is safe).
 */
export function lockHistoryProblems(events: readonly LoggedLockEvent[]): string[] {
  const problems: string[] = [];
  let holder = null as { token: number; expiresAt: number } | null;
  let lastToken = 0;
  let lastEnd = 0;
  for (const e of events) {
    const at = Date.parse(e.timestamp);
    const where = `${e.type} #${e.revision} (token ${e.data.token})`;
    switch (e.type) {
      case 'StoreLockAcquired':
        if (holder) problems.push(`${where}: acquired while token ${holder.token} held it`);
        if (e.data.token <= lastToken) problems.push(`${where}: token not above ${lastToken}`);
        if (at < lastEnd) problems.push(`${where}: acquired at ${e.timestamp}, before the previous lease ended`);
        holder = { token: e.data.token, expiresAt: e.data.expiresAt! };
        lastToken = Math.max(lastToken, e.data.token);
        break;
      case 'StoreLockRenewed':
        if (!holder || holder.token !== e.data.token) problems.push(`${where}: renewed by a non-holder`);
        else if (at >= holder.expiresAt) problems.push(`${where}: renewed after its lease ran out`);
        else holder = { ...holder, expiresAt: e.data.expiresAt! };
        break;
      case 'StoreLockReleased':
        if (!holder || holder.token !== e.data.token) problems.push(`${where}: released by a non-holder`);
        lastEnd = at;
        holder = null;
        break;
      case 'StoreLockExpired':
        if (!holder || holder.token !== e.data.token) problems.push(`${where}: expiry of a non-holder (recorded twice?)`);
        else if (at < holder.expiresAt) problems.push(`${where}: recorded before the lease ran out`);
        lastEnd = holder?.expiresAt ?? lastEnd;
        holder = null;
        break;
      default:
        problems.push(`${where}: not a lock event`);
    }
  }
  return problems;
}
