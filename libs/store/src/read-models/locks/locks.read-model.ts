import type { Database, Statement } from 'better-sqlite3';
import { isLockEvent } from '../../events/store-event';
import { decodingProjection, StoreProjection } from '../../events/store-projection';
import { evolveLock, initialLockState, LockState, liveHolder } from '../../lock/lock';

interface LockRow {
  name: string;
  revision: number;
  last_token: number;
  owner: string | null;
  token: number | null;
  expires_at: number | null;
}

const toState = (row: LockRow): LockState => ({
  name: row.name,
  revision: row.revision,
  lastToken: row.last_token,
  holder: row.owner === null ? null : { owner: row.owner, token: row.token!, expiresAt: row.expires_at! },
});

/** Each lock's state, folded by the lock aggregate's own evolve: the decision state of lock commands and of fenced writes. */
export const locksTypedProjection: StoreProjection = {
  name: 'locks',
  tables: ['locks'],
  schema: `
    CREATE TABLE IF NOT EXISTS locks (
      name       TEXT    PRIMARY KEY,
      revision   INTEGER NOT NULL,
      last_token INTEGER NOT NULL,
      owner      TEXT,
      token      INTEGER,
      expires_at INTEGER
    ) STRICT;
    CREATE INDEX IF NOT EXISTS locks_by_expiry ON locks (expires_at) WHERE expires_at IS NOT NULL;`,
  bind(db) {
    const read = db.prepare('SELECT * FROM locks WHERE name = ?');
    const write = db.prepare(
      `INSERT OR REPLACE INTO locks (name, revision, last_token, owner, token, expires_at)
       VALUES (@name, @revision, @lastToken, @owner, @token, @expiresAt)`,
    );
    return (event) => {
      if (!isLockEvent(event)) return;
      const row = read.get(event.data.lock) as LockRow | undefined;
      const after = evolveLock(row ? toState(row) : initialLockState(event.data.lock), event);
      write.run({
        name: after.name, revision: event.revision, lastToken: after.lastToken,
        owner: after.holder?.owner ?? null, token: after.holder?.token ?? null, expiresAt: after.holder?.expiresAt ?? null,
      });
    };
  },
};

export const locksProjection = decodingProjection(locksTypedProjection);

/** A lock as GET /v1/locks/{name} shows it. */
export interface LockView {
  name: string;
  held: boolean;
  owner: string | null;
  token: number | null;
  expiresAt: string | null;
  /** The highest token ever granted; 0 when never. */
  lastToken: number;
}

export function lockView(state: LockState, now: Date): LockView {
  const live = liveHolder(state, now);
  return {
    name: state.name,
    held: live !== undefined,
    owner: live?.owner ?? null,
    token: live?.token ?? null,
    expiresAt: live ? new Date(live.expiresAt).toISOString() : null,
    lastToken: state.lastToken,
  };
}

export class LocksReadModel {
  private readonly one: Statement;
  private readonly due: Statement;
  private readonly next: Statement;

  constructor(db: Database) {
    this.one = db.prepare('SELECT * FROM locks WHERE name = ?');
    this.due = db.prepare('SELECT name FROM locks WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?');
    this.next = db.prepare('SELECT MIN(expires_at) AS next FROM locks WHERE expires_at > ?');
  }

  /** The lock's state as projected (its revision included); a lock never acquired is in its initial state. */
  state(name: string): LockState {
    const row = this.one.get(name) as LockRow | undefined;
    return row ? toState(row) : initialLockState(name);
  }

  /** Locks whose holder's lease ran out by `nowMs` without its expiry recorded. */
  expiredBy(nowMs: number, limit: number): string[] {
    return (this.due.all(nowMs, limit) as { name: string }[]).map((r) => r.name);
  }

  nextExpiryAfter(nowMs: number): number | undefined {
    return (this.next.get(nowMs) as { next: number | null }).next ?? undefined;
  }
}
