import { EsdbEventStore } from '@app/event-store';
import { SharedLogStoreBackend } from './shared-log-store-backend';

export interface EsdbBackendOptions {
  readonly connectionString: string;
  readonly dataDir: string;
  readonly writeTimeoutMs: number;
}

/** The production backend: the log in EventStoreDB / KurrentDB, shared by every replica; read models in STORE_DATA_DIR. */
export class EsdbStoreBackend extends SharedLogStoreBackend {
  constructor(options: EsdbBackendOptions) {
    super({
      name: 'eventstoredb',
      dataDir: options.dataDir,
      writeTimeoutMs: options.writeTimeoutMs,
      open: () => EsdbEventStore.open(options.connectionString),
    });
  }
}
