import type { Database } from 'better-sqlite3';
import { RecordedEvent } from '../event-store.port';

/**
 * One read model: its tables and a pure-in-spirit `apply(event)` over them. Projections are run
 * by the projector, inside its transactions, never by an in-process event bus.
 */
export interface Projection {
  readonly name: string;
  /** DDL of its tables (CREATE TABLE/INDEX IF NOT EXISTS). A changed schema means a rebuild. */
  readonly schema: string;
  /** Tables dropped by a rebuild. */
  readonly tables: readonly string[];
  /** Prepares its statements; returns the function that applies one event. */
  bind(db: Database): (event: RecordedEvent) => void;
}
