import type { Database } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { RecordedEvent } from '../event-store.port';
import { Position, position } from '../position';
import { Projection } from './projection';

/** Reads events strictly after a position (the log's own numbering), at most `max`. */
export type SyncEventSource = (after: Position | 'start', max: number) => RecordedEvent[];

/** The same for a log in another process or on another machine; fewer than `max` only at the end. */
export type AsyncEventSource = (after: Position | 'start', max: number) => Promise<readonly RecordedEvent[]>;

/** Runs inside the projector's transaction right after one event is applied to every read model. */
export type AppliedListener = (event: RecordedEvent) => void;

export type RebuildProgress = (done: number, total: number | undefined) => void;

const PAGE = 2000;

const CHECKPOINT_SCHEMA = `
CREATE TABLE IF NOT EXISTS projector_checkpoints (
  name        TEXT PRIMARY KEY,
  incarnation TEXT NOT NULL,
  commit_pos  TEXT NOT NULL,
  prepare_pos TEXT NOT NULL,
  schema_hash TEXT NOT NULL
) STRICT;`;

/**
 * Keeps a group of read models in one SQLite database up to date with the log. The checkpoint is
 * written in the same transaction as the rows it covers, and events at or before it are skipped,
 * so a restart resumes where it stopped and nothing is applied twice.
 */
export class SqliteProjector {
  private readonly appliers: ((event: RecordedEvent) => void)[] = [];
  private readonly schemaHash: string;
  private readonly readCheckpoint;
  private readonly writeCheckpoint;
  private readonly currentIncarnation: () => string;

  /** `incarnation` may be a function, for a store whose incarnation changes (a restore renews it). */
  constructor(
    private readonly db: Database,
    private readonly projections: readonly Projection[],
    incarnation: string | (() => string),
    private readonly name = 'read-models',
  ) {
    this.currentIncarnation = typeof incarnation === 'string' ? () => incarnation : incarnation;
    this.schemaHash = createHash('sha256').update(projections.map((p) => `${p.name}\n${p.schema}`).join('\n')).digest('hex').slice(0, 16);
    db.exec(CHECKPOINT_SCHEMA);
    this.readCheckpoint = db.prepare('SELECT * FROM projector_checkpoints WHERE name = ?');
    this.writeCheckpoint = db.prepare(
      `INSERT INTO projector_checkpoints (name, incarnation, commit_pos, prepare_pos, schema_hash) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET incarnation = excluded.incarnation, commit_pos = excluded.commit_pos,
         prepare_pos = excluded.prepare_pos, schema_hash = excluded.schema_hash`,
    );
    const stored = this.readCheckpoint.get(name) as CheckpointRow | undefined;
    const reset = !stored || stored.schema_hash !== this.schemaHash || stored.incarnation !== this.currentIncarnation();
    db.transaction(() => (reset ? this.resetTables() : this.createTables()))();
    for (const p of projections) this.appliers.push(p.bind(db));
  }

  /** The last position applied ('start' after a reset: new file, changed schema or new incarnation). */
  checkpoint(): Position | 'start' {
    const row = this.readCheckpoint.get(this.name) as CheckpointRow | undefined;
    if (!row || row.commit_pos === '0') return 'start';
    return position(row.incarnation, BigInt(row.commit_pos), BigInt(row.prepare_pos));
  }

  /** Whether the read models include the event at this position. */
  includes(p: Position): boolean {
    const checkpoint = this.checkpoint();
    return checkpoint !== 'start' && !isAfter(p, checkpoint);
  }

  /**
   * Applies events after the checkpoint (pass it when just read); the caller holds the transaction.
   * With `deferCheckpoint` the caller saves the checkpoint itself before its transaction commits.
   */
  applyInTransaction(
    events: readonly RecordedEvent[],
    { afterEach, checkpoint = this.checkpoint(), deferCheckpoint = false }:
      { afterEach?: AppliedListener; checkpoint?: Position | 'start'; deferCheckpoint?: boolean } = {},
  ): number {
    const fresh = checkpoint === 'start' ? events : events.filter((e) => isAfter(e.position, checkpoint));
    if (fresh.length === 0) return 0;
    for (const event of fresh) {
      for (const apply of this.appliers) apply(event);
      afterEach?.(event);
    }
    if (!deferCheckpoint) this.saveCheckpoint(fresh[fresh.length - 1].position);
    return fresh.length;
  }

  /** Records that the read models include everything up to `p`; inside the transaction that applied it. */
  saveCheckpoint(p: Position): void {
    this.writeCheckpoint.run(this.name, this.currentIncarnation(), String(p.commit), String(p.prepare), this.schemaHash);
  }

  /** Applies everything the source has after the checkpoint, a page per transaction. */
  catchUp(source: SyncEventSource, onProgress?: RebuildProgress, total?: number, afterEach?: AppliedListener): number {
    let applied = 0;
    for (;;) {
      const page = source(this.checkpoint(), PAGE);
      if (page.length === 0) return applied;
      applied += this.db.transaction(() => this.applyInTransaction(page, { afterEach }))();
      onProgress?.(applied, total);
    }
  }

  /**
   * Applies what an asynchronous source has after the checkpoint, a page per transaction, so an
   * interrupted catch-up resumes from the last page it committed.
   */
  async catchUpAsync(source: AsyncEventSource, onPage?: (applied: number) => void, afterEach?: AppliedListener): Promise<number> {
    let applied = 0;
    for (;;) {
      const page = await source(this.checkpoint(), PAGE);
      if (page.length === 0) return applied;
      applied += this.db.transaction(() => this.applyInTransaction(page, { afterEach }))();
      onPage?.(applied);
      if (page.length < PAGE) return applied;
    }
  }

  /** Drops the read models and replays the whole log, in one transaction: readers see old or new, never half. */
  rebuild(source: SyncEventSource, onProgress?: RebuildProgress, total?: number): number {
    return this.db.transaction(() => {
      this.resetTables();
      return this.catchUp(source, onProgress, total);
    })();
  }

  /** Drops the read models and sets the checkpoint back to the start: the next catch-up replays the whole log. */
  reset(): void {
    this.db.transaction(() => this.resetTables())();
  }

  private resetTables(): void {
    for (const p of this.projections) for (const table of p.tables) this.db.exec(`DROP TABLE IF EXISTS ${table}`);
    this.createTables();
    this.writeCheckpoint.run(this.name, this.currentIncarnation(), '0', '0', this.schemaHash);
  }

  private createTables(): void {
    for (const p of this.projections) this.db.exec(p.schema);
  }
}

interface CheckpointRow {
  incarnation: string;
  commit_pos: string;
  prepare_pos: string;
  schema_hash: string;
}

const isAfter = (p: Position, checkpoint: Position) =>
  p.commit > checkpoint.commit || (p.commit === checkpoint.commit && p.prepare > checkpoint.prepare);
