import { Projection, RebuildProgress, SqliteEventStore } from '@app/event-store';
import { join } from 'node:path';
import { FailpointHit, noFailpoints } from '../shared/failpoints';
import { STORE_PROJECTIONS } from './read-models';
import { StoreBackend } from './store-backend';

export const DATA_FILE = 'hexastore.db';

export interface SqliteBackendOptions {
  readonly onCatchUp?: RebuildProgress;
  /**
   * Testing aid: `PRAGMA max_page_count` on the data file's connection, so that "disk full"
   * (SQLITE_FULL → 507 STORAGE_FULL) can be reproduced. Unset in production.
   */
  readonly maxPageCount?: number;
  /** Test crash points (shared/failpoints.ts); none by default. */
  readonly failpoint?: FailpointHit;
}

/** The embedded backend: log, read models and idempotency records in one SQLite file. */
export class SqliteStoreBackend extends StoreBackend {
  constructor(dataDir: string, options: SqliteBackendOptions | RebuildProgress = {}) {
    const { onCatchUp, maxPageCount, failpoint = noFailpoints } = typeof options === 'function' ? { onCatchUp: options } : options;
    const projections = failpoint === noFailpoints ? STORE_PROJECTIONS : STORE_PROJECTIONS.map((p) => crashingBefore(p, failpoint));
    const log = new SqliteEventStore({ file: join(dataDir, DATA_FILE), readModels: { projections, onCatchUp }, maxPageCount });
    super({ name: 'sqlite', log, readModels: log.readModels!, scratchDir: dataDir, writer: { timeoutMs: 10_000, attempts: 3 }, failpoint });
  }
}

/** mid-projection: the entries read model is projected after namespaces and history have applied the event, in the same transaction. */
function crashingBefore(projection: Projection, failpoint: FailpointHit): Projection {
  if (projection.name !== 'entries') return projection;
  return {
    name: projection.name,
    schema: projection.schema,
    tables: projection.tables,
    bind(db) {
      const apply = projection.bind(db);
      return (event) => {
        failpoint('mid-projection');
        apply(event);
      };
    },
  };
}
