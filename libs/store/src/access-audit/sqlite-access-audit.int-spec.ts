import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessRecord, outcomeOf } from './access-audit';
import { SqliteAccessAudit } from './sqlite-access-audit';

const DAY = 86_400_000;

describe('SqliteAccessAudit', () => {
  let dir: string;
  let now: Date;
  const open = (options: { retentionDays?: number; pruneBatch?: number; maxQueued?: number } = {}) =>
    new SqliteAccessAudit({ file: join(dir, 'access-audit.db'), retentionDays: 30, flushIntervalMs: 3_600_000, pruneIntervalMs: 3_600_000, now: () => now, ...options });
  const record = (time: Date, extra: Partial<AccessRecord> = {}): AccessRecord => ({
    actor: 'ann', operation: 'GET /v1/namespaces/:ns', namespace: 'ns', key: null, outcome: 'allowed', status: 200,
    requestId: `r-${time.getTime()}`, time: time.toISOString(), ...extra,
  });
  const rows = () => {
    const db = new Database(join(dir, 'access-audit.db'), { readonly: true });
    try {
      return (db.prepare('SELECT request_id FROM access_audit ORDER BY id').all() as { request_id: string }[]).map((r) => r.request_id);
    } finally {
      db.close();
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hexastore-access-audit-'));
    now = new Date('2026-06-30T00:00:00.000Z');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('queues records and writes them in one batch, off the caller (a flush, a query or the close)', () => {
    const audit = open();
    audit.record(record(now));
    expect(rows()).toEqual([]);
    audit.flush();
    expect(rows()).toEqual([`r-${now.getTime()}`]);
    audit.record(record(new Date(now.getTime() + 1)));
    expect(audit.page('ns', {}, Number.MAX_SAFE_INTEGER, 10).map((r) => r.requestId)).toEqual([`r-${now.getTime() + 1}`, `r-${now.getTime()}`]);
    audit.record(record(new Date(now.getTime() + 2)));
    audit.close();
    expect(rows()).toHaveLength(3);
  });

  it('writes at once when the queue is full, so memory stays bounded', () => {
    const audit = open({ maxQueued: 3 });
    for (let i = 0; i < 7; i++) audit.record(record(new Date(now.getTime() + i)));
    expect(rows()).toHaveLength(6);
    audit.close();
  });

  it('prunes records past the retention in bounded batches, keeping the rest', () => {
    const audit = open({ retentionDays: 30, pruneBatch: 2 });
    const old = [31, 40, 45, 90, 365].map((days) => record(new Date(now.getTime() - days * DAY)));
    const kept = [29, 1, 0].map((days) => record(new Date(now.getTime() - days * DAY)));
    for (const r of [...old, ...kept]) audit.record(r);
    expect(audit.pruneExpired()).toBe(old.length);
    expect(rows()).toEqual(kept.map((r) => r.requestId));
    // Time moves on: what was kept ages out too.
    now = new Date(now.getTime() + 30 * DAY);
    expect(audit.pruneExpired()).toBe(2);
    expect(rows()).toEqual([kept[2].requestId]);
    audit.close();
  });

  it('prunes at open, so a restart after a long pause starts within the retention', () => {
    const first = open({ retentionDays: 1 });
    first.record(record(new Date(now.getTime() - 2 * DAY)));
    first.record(record(now));
    first.close();
    expect(rows()).toHaveLength(2);
    open({ retentionDays: 1 }).close();
    expect(rows()).toEqual([`r-${now.getTime()}`]);
  });

  it('filters by namespace, actor and outcome, newest first, below a given id', () => {
    const audit = open();
    audit.record(record(now, { requestId: 'a1' }));
    audit.record(record(now, { requestId: 'b1', actor: 'bob', outcome: 'denied', status: 403 }));
    audit.record(record(now, { requestId: 'x1', namespace: 'other' }));
    audit.record(record(now, { requestId: 'n1', actor: null, outcome: 'denied', status: 401 }));
    const all = audit.page('ns', {}, Number.MAX_SAFE_INTEGER, 10);
    expect(all.map((r) => r.requestId)).toEqual(['n1', 'b1', 'a1']);
    expect(audit.page('ns', { outcome: 'denied' }, Number.MAX_SAFE_INTEGER, 10).map((r) => r.requestId)).toEqual(['n1', 'b1']);
    expect(audit.page('ns', { actor: 'bob' }, Number.MAX_SAFE_INTEGER, 10).map((r) => r.requestId)).toEqual(['b1']);
    expect(audit.page('ns', {}, all[0].id, 10).map((r) => r.requestId)).toEqual(['b1', 'a1']);
    audit.close();
  });

  it('opens in WAL with synchronous=NORMAL (an audit of calls may lose its last batch on power loss; it never waits on the log)', () => {
    open().close();
    const db = new Database(join(dir, 'access-audit.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('maps statuses to outcomes', () => {
    expect([200, 204, 401, 403, 404, 409, 429, 500, 503].map((s) => outcomeOf(s))).toEqual([
      'allowed', 'allowed', 'denied', 'denied', 'rejected', 'rejected', 'limited', 'failed', 'failed',
    ]);
    expect(outcomeOf(200, false)).toBe('failed');
  });
});
