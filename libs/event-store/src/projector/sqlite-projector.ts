import type { Database } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { RecordedEvent } from '../event-store.port';
import { Position, position } from '../position';
import { Projection } from './projection';

/** Reads events strictly after a position (the log's own numbering), at most `max`. */
export type SyncEventSource = (after: Position | 'start', max: number) => RecordedEvent[];

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
    db.transaction(() => (reset ? this.reset() : this.createTables()))();
    for (const p of projections) this.appliers.push(p.bind(db));
  }

  /** The last position applied ('start' after a reset: new file, changed schema or new incarnation). */
  checkpoint(): Position | 'start' {
    const row = this.readCheckpoint.get(this.name) as CheckpointRow | undefined;
    if (!row || row.commit_pos === '0') return 'start';
    return position(row.incarnation, BigInt(row.commit_pos), BigInt(row.prepare_pos));
  }

  /** Applies events after the checkpoint; the caller holds the transaction. */
  applyInTransaction(events: readonly RecordedEvent[]): number {
    const checkpoint = this.checkpoint();
    const fresh = checkpoint === 'start' ? events : events.filter((e) => isAfter(e.position, checkpoint));
    if (fresh.length === 0) return 0;
    for (const event of fresh) for (const apply of this.appliers) apply(event);
    const last = fresh[fresh.length - 1].position;
    this.writeCheckpoint.run(this.name, this.currentIncarnation(), String(last.commit), String(last.prepare), this.schemaHash);
    return fresh.length;
  }

  /** Applies everything the source has after the checkpoint, a page per transaction. */
  catchUp(source: SyncEventSource, onProgress?: RebuildProgress, total?: number): number {
    let applied = 0;
    for (;;) {
      const page = source(this.checkpoint(), PAGE);
      if (page.length === 0) return applied;
      applied += this.db.transaction(() => this.applyInTransaction(page))();
      onProgress?.(applied, total);
    }
  }

  /** Drops the read models and replays the whole log, in one transaction: readers see old or new, never half. */
  rebuild(source: SyncEventSource, onProgress?: RebuildProgress, total?: number): number {
    return this.db.transaction(() => {
      this.reset();
      return this.catchUp(source, onProgress, total);
    })();
  }

  private reset(): void {
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
