import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { AccessAudit, AccessAuditFilter, AccessAuditItem, AccessRecord } from './access-audit';

export const ACCESS_AUDIT_FILE = 'access-audit.db';

export interface SqliteAccessAuditOptions {
  readonly file: string;
  /** Records older than this many days are pruned. */
  readonly retentionDays: number;
  /** How often queued records are written, in one transaction. */
  readonly flushIntervalMs?: number;
  /** Queued records past this are written at once, so memory stays bounded under a flood. */
  readonly maxQueued?: number;
  /** Rows deleted per pruning transaction (the rest on the next tick): pruning never holds the file long. */
  readonly pruneBatch?: number;
  /** How often old records are pruned. */
  readonly pruneIntervalMs?: number;
  /** The time source for retention. */
  readonly now?: () => Date;
}

interface Row {
  id: number;
  actor: string | null;
  operation: string;
  namespace: string | null;
  key: string | null;
  outcome: AccessAuditItem['outcome'];
  status: number;
  request_id: string;
  time: string;
}

const DAY_MS = 86_400_000;

/**
 * The access audit in its own SQLite file beside the data. WAL with synchronous=NORMAL: a power
 * loss may drop the last batches, which an audit of calls can afford (the event log's durability is
 * its own, in another file, and this file's writes never wait on its fsync, nor it on ours).
 */
export class SqliteAccessAudit extends AccessAudit {
  private readonly db: Db;
  private readonly insert: Statement;
  private readonly select: Statement;
  private readonly prune: Statement;
  private queue: AccessRecord[] = [];
  private readonly flushTimer: NodeJS.Timeout;
  private readonly pruneTimer: NodeJS.Timeout;
  private readonly now: () => Date;
  private closed = false;

  constructor(private readonly options: SqliteAccessAuditOptions) {
    super();
    mkdirSync(dirname(options.file), { recursive: true });
    this.now = options.now ?? (() => new Date());
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS access_audit (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        actor      TEXT,
        operation  TEXT    NOT NULL,
        namespace  TEXT,
        key        TEXT,
        outcome    TEXT    NOT NULL,
        status     INTEGER NOT NULL,
        request_id TEXT    NOT NULL,
        time       TEXT    NOT NULL
      ) STRICT;
      CREATE INDEX IF NOT EXISTS access_audit_by_namespace ON access_audit (namespace, id);
      CREATE INDEX IF NOT EXISTS access_audit_by_time ON access_audit (time);`);
    this.insert = this.db.prepare(
      `INSERT INTO access_audit (actor, operation, namespace, key, outcome, status, request_id, time)
       VALUES (@actor, @operation, @namespace, @key, @outcome, @status, @requestId, @time)`,
    );
    this.select = this.db.prepare(
      `SELECT * FROM access_audit
        WHERE namespace = @namespace AND id < @before
          AND (@actor IS NULL OR actor = @actor) AND (@outcome IS NULL OR outcome = @outcome)
        ORDER BY id DESC LIMIT @limit`,
    );
    this.prune = this.db.prepare(
      'DELETE FROM access_audit WHERE id IN (SELECT id FROM access_audit WHERE time < ? ORDER BY time LIMIT ?)',
    );
    this.flushTimer = setInterval(() => this.flush(), options.flushIntervalMs ?? 200);
    this.flushTimer.unref();
    this.pruneTimer = setInterval(() => this.pruneExpired(), options.pruneIntervalMs ?? 60_000);
    this.pruneTimer.unref();
    this.pruneExpired();
  }

  record(record: AccessRecord): void {
    if (this.closed) return;
    this.queue.push(record);
    if (this.queue.length >= (this.options.maxQueued ?? 10_000)) this.flush();
  }

  flush(): void {
    if (this.closed || this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.db.transaction(() => {
      for (const record of batch) this.insert.run(record);
    })();
  }

  page(namespace: string, filter: AccessAuditFilter, before: number, limit: number): AccessAuditItem[] {
    this.flush();
    const rows = this.select.all({
      namespace, before, limit, actor: filter.actor ?? null, outcome: filter.outcome ?? null,
    }) as Row[];
    return rows.map((r) => ({
      id: r.id, actor: r.actor, operation: r.operation, namespace: r.namespace, key: r.key, outcome: r.outcome,
      status: r.status, requestId: r.request_id, time: r.time,
    }));
  }

  /** Deletes records past the retention, a bounded batch per transaction; answers how many. */
  pruneExpired(): number {
    if (this.closed) return 0;
    this.flush();
    const cutoff = new Date(this.now().getTime() - this.options.retentionDays * DAY_MS).toISOString();
    const batch = this.options.pruneBatch ?? 1000;
    let pruned = 0;
    // Bounded: at most 100 batches per tick; what is left goes on the next one.
    for (let i = 0; i < 100; i++) {
      const { changes } = this.prune.run(cutoff, batch);
      pruned += changes;
      if (changes < batch) break;
    }
    return pruned;
  }

  close(): void {
    if (this.closed) return;
    clearInterval(this.flushTimer);
    clearInterval(this.pruneTimer);
    this.flush();
    this.closed = true;
    this.db.close();
  }
}
