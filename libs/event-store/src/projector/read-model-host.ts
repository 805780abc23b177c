import type { Database } from 'better-sqlite3';
import { Position } from '../position';
import { ProjectionWatch } from './projection-watch';
import { RebuildProgress } from './sqlite-projector';

/**
 * Where read models live and how far they are: a SQLite database kept up to date with the log by a
 * checkpointed projector. The SQLite adapter hosts them in its own file and projects inside each
 * append's transaction; a shared log has them followed into a local file by subscription.
 */
export interface ReadModelHost {
  /** The database the read models' queries read. */
  readonly db: Database;
  /** Told of every event applied (inside the projector's transaction) and of every committed batch. */
  readonly watch: ProjectionWatch;
  /** True when the read models are projected inside each append's own transaction (always at the log's head under its lock). */
  readonly inline: boolean;
  /** The last position applied. */
  checkpoint(): Position | 'start';
  /** True once the read models include `position`; false when `timeoutMs` passes first. */
  reached(position: Position, timeoutMs: number): Promise<boolean>;
  /** Drops the read models and replays the whole log; answers the number of events replayed. */
  rebuild(onProgress?: RebuildProgress): Promise<number>;
  /** Why the read models cannot be read now, or undefined when they can. */
  unready(): string | undefined;
  /** Facts for a readiness report: positions, lag. */
  describe(): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}
