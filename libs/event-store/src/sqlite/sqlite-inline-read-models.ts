import type { Database } from 'better-sqlite3';
import { RecordedEvent } from '../event-store.port';
import { Position } from '../position';
import { Projection } from '../projector/projection';
import { TransactionHooks } from './group-commit';
import { ProjectionWatch } from '../projector/projection-watch';
import { ReadModelHost } from '../projector/read-model-host';
import { RebuildProgress, SqliteProjector, SyncEventSource } from '../projector/sqlite-projector';

/** How often a wait for a position looks again: another process sharing the file may project it. */
const POLL_MS = 20;

/**
 * Read models in the log's own file, projected inside each append's transaction: a write is
 * readable once acknowledged, and processes sharing the file stay consistent with no coordination.
 */
export class SqliteInlineReadModels implements ReadModelHost, TransactionHooks {
  readonly watch = new ProjectionWatch(POLL_MS);
  readonly inline = true;
  private readonly projector: SqliteProjector;
  /** Inside a group-commit transaction: the position applied so far, saved once before the commit. */
  private applied?: { position: Position | 'start'; saved: boolean; atPieceStart: Position | 'start' };

  constructor(
    readonly db: Database,
    projections: readonly Projection[],
    incarnation: () => string,
    private readonly source: SyncEventSource,
    private readonly head: () => number,
    private readonly isOpen: () => boolean,
    onCatchUp?: RebuildProgress,
  ) {
    this.projector = new SqliteProjector(db, projections, incarnation);
    this.projector.catchUp(source, onCatchUp, head());
  }

  /** Inside the append's transaction: applies what was just written, after anything older not seen yet. */
  apply(events: readonly RecordedEvent[]): void {
    const state = this.applied;
    if (!state) return void this.applyAlone(events); // outside a group commit
    const checkpoint = state.position;
    const next = checkpoint === 'start' ? 1n : checkpoint.commit + 1n;
    if (events[0].position.commit === next) {
      this.projector.applyInTransaction(events, { checkpoint, afterEach: this.watch.applied, deferCheckpoint: true });
      state.position = events[events.length - 1].position;
      state.saved = false;
    } else {
      if (!state.saved && state.position !== 'start') this.projector.saveCheckpoint(state.position);
      this.projector.catchUp(this.source, undefined, undefined, this.watch.applied);
      Object.assign(state, { position: this.projector.checkpoint(), saved: true });
    }
  }

  begin(): void {
    const position = this.projector.checkpoint(); // another process sharing the file may have moved it
    this.applied = { position, saved: true, atPieceStart: position };
  }

  pieceStarts(): void {
    if (this.applied) this.applied.atPieceStart = this.applied.position;
  }

  /** A piece rolled back alone took its projected rows with it. */
  pieceUndone(): void {
    if (this.applied) this.applied.position = this.applied.atPieceStart;
  }

  beforeCommit(): void {
    const state = this.applied;
    this.applied = undefined;
    if (state && !state.saved && state.position !== 'start') this.projector.saveCheckpoint(state.position);
  }

  rolledBack(): void {
    this.applied = undefined;
  }

  private applyAlone(events: readonly RecordedEvent[]): void {
    const checkpoint = this.projector.checkpoint();
    const next = checkpoint === 'start' ? 1n : checkpoint.commit + 1n;
    if (events[0].position.commit === next) this.projector.applyInTransaction(events, { checkpoint, afterEach: this.watch.applied });
    else this.projector.catchUp(this.source, undefined, undefined, this.watch.applied);
  }

  checkpoint(): Position | 'start' {
    return this.projector.checkpoint();
  }

  reached(position: Position, timeoutMs: number): Promise<boolean> {
    return this.watch.until(() => this.projector.includes(position), timeoutMs);
  }

  async rebuild(onProgress?: RebuildProgress): Promise<number> {
    return this.projector.rebuild(this.source, onProgress, this.head());
  }

  unready(): string | undefined {
    if (!this.isOpen()) return 'the data file is closed';
    // The checkpoint first: the head only grows meanwhile (another process may append), unless events were removed.
    const checkpoint = this.projector.checkpoint();
    if (checkpoint === 'start') return undefined;
    const head = this.head();
    if (checkpoint.commit <= BigInt(head)) return undefined;
    return `the read models are at position ${checkpoint.commit} but the log ends at position ${head}: `
      + 'events are missing from the log (the data file is damaged)';
  }

  async describe(): Promise<Record<string, unknown>> {
    if (!this.isOpen()) return {};
    const checkpoint = this.projector.checkpoint();
    const head = this.head();
    const projected = checkpoint === 'start' ? 0 : Number(checkpoint.commit);
    return {
      synchronous: this.db.pragma('synchronous', { simple: true }),
      journalMode: this.db.pragma('journal_mode', { simple: true }),
      head,
      projected,
      lag: head - projected,
    };
  }

  /** The log closes the file. */
  async close(): Promise<void> {}
}
