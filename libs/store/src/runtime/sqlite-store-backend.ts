import { RebuildProgress, SqliteEventStore } from '@app/event-store';
import { join } from 'node:path';
import { STORE_PROJECTIONS } from './read-models';
import { StoreBackend } from './store-backend';

export const DATA_FILE = 'hexastore.db';

/** The embedded backend: log, read models and idempotency records in one SQLite file. */
export class SqliteStoreBackend extends StoreBackend {
  constructor(dataDir: string, onCatchUp?: RebuildProgress) {
    const log = new SqliteEventStore({ file: join(dataDir, DATA_FILE), readModels: { projections: STORE_PROJECTIONS, onCatchUp } });
    super({ name: 'sqlite', log, readModels: log.readModels!, scratchDir: dataDir, writer: { timeoutMs: 10_000, attempts: 3 } });
  }
}
