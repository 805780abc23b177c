import { DynamicModule, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { BACKUP_COMMAND_HANDLERS } from './backup/backup.commands';
import { EntriesReadModel } from './entries/entries.read-model';
import { ENTRY_COMMAND_HANDLERS, STORE_LIMITS } from './entries/entry.commands';
import { ENTRY_QUERY_HANDLERS } from './entries/entry.queries';
import { CreateNamespaceHandler } from './namespaces/namespace.commands';
import { GetNamespaceHandler, ListNamespacesHandler } from './namespaces/namespace.queries';
import { NamespacesReadModel } from './namespaces/namespaces.read-model';
import { READ_WAIT_TIMEOUT_MS, ReadConsistency } from './persistence/read-consistency';
import { RebuildReadModelsHandler } from './persistence/rebuild.commands';
import { WatchFeedHandler } from './feed/feed.queries';
import { HotReloadHandler, STORE_CONFIG_FILE } from './config/config.commands';
import { SaveConsumerCheckpointHandler } from './consumers/consumer.commands';
import { GetConsumerHandler, ListReplicasHandler } from './consumers/consumer.queries';
import { StoreBackend } from './persistence/store-backend';
import { HistoryReadModel } from './history/history.read-model';
import { HISTORY_QUERY_HANDLERS } from './history/history.queries';
import { StatePages } from './history/state-pages';
import { TimeTravel } from './history/time-travel';
import { ROLLBACK_COMMAND_HANDLERS } from './rollback/rollback.commands';
import { RollbackPointsReadModel } from './rollback/rollback-points.read-model';
import { ROLLBACK_QUERY_HANDLERS } from './rollback/rollback.queries';
import { Clock, MonotonicClock, SystemClock } from './shared/clock';
import { StoreLimits } from './shared/limits';
import { TakeSnapshotHandler } from './snapshots/snapshot.commands';
import { SNAPSHOT_QUERY_HANDLERS } from './snapshots/snapshot.queries';
import { SnapshotsReadModel } from './snapshots/snapshots.read-model';
import { SOFT_DELETE_COMMAND_HANDLERS } from './soft-delete/soft-delete.commands';
import { ExpirySweeper, ExpirySweeperOptions, SWEEPER_OPTIONS } from './ttl/expiry-sweeper';
import { TTL_COMMAND_HANDLERS } from './ttl/ttl.commands';
import { NamespaceWriter } from './write-path/namespace-writer';

export interface StoreModuleOptions {
  /** Opens the backend (the composition root picks it from config). */
  readonly openBackend: () => StoreBackend | Promise<StoreBackend>;
  readonly limits: StoreLimits;
  /** The time source; the store wraps it so that its time never runs backwards. */
  readonly clock?: Clock;
  /** The declarative config file (YAML or JSON) applied by HotReload. */
  readonly configFile?: string;
  readonly sweeper?: Partial<ExpirySweeperOptions>;
  /** How long a read naming a `minPosition` waits for the read models to reach it (default 5 s). */
  readonly readWaitTimeoutMs?: number;
}

@Injectable()
class BackendLifecycle implements OnApplicationShutdown {
  constructor(private readonly backend: StoreBackend) {}

  async onApplicationShutdown(): Promise<void> {
    await this.backend.close();
  }
}

const fromBackend = <T>(provide: abstract new (...args: never[]) => T, pick: (b: StoreBackend) => T) => ({
  provide,
  useFactory: pick,
  inject: [StoreBackend],
});

@Module({})
export class StoreModule {
  static forRoot(options: StoreModuleOptions): DynamicModule {
    return {
      module: StoreModule,
      imports: [CqrsModule],
      providers: [
        { provide: StoreBackend, useFactory: options.openBackend },
        fromBackend(NamespaceWriter, (b) => b.writer),
        fromBackend(EntriesReadModel, (b) => b.entries),
        fromBackend(NamespacesReadModel, (b) => b.namespaces),
        fromBackend(HistoryReadModel, (b) => b.history),
        fromBackend(RollbackPointsReadModel, (b) => b.rollbackPoints),
        fromBackend(SnapshotsReadModel, (b) => b.snapshots),
        fromBackend(TimeTravel, (b) => b.timeTravel),
        { provide: Clock, useValue: new MonotonicClock(options.clock ?? new SystemClock()) },
        { provide: STORE_LIMITS, useValue: options.limits },
        { provide: SWEEPER_OPTIONS, useValue: { enabled: true, intervalMs: 1000, ...options.sweeper } },
        { provide: READ_WAIT_TIMEOUT_MS, useValue: options.readWaitTimeoutMs ?? 5000 },
        ReadConsistency,
        BackendLifecycle,
        StatePages,
        ExpirySweeper,
        ...ENTRY_COMMAND_HANDLERS,
        ...ENTRY_QUERY_HANDLERS,
        ...TTL_COMMAND_HANDLERS,
        ...SOFT_DELETE_COMMAND_HANDLERS,
        ...HISTORY_QUERY_HANDLERS,
        ...ROLLBACK_COMMAND_HANDLERS,
        ...ROLLBACK_QUERY_HANDLERS,
        TakeSnapshotHandler,
        ...SNAPSHOT_QUERY_HANDLERS,
        CreateNamespaceHandler,
        ListNamespacesHandler,
        GetNamespaceHandler,
        RebuildReadModelsHandler,
        WatchFeedHandler,
        SaveConsumerCheckpointHandler,
        GetConsumerHandler,
        ListReplicasHandler,
        HotReloadHandler,
        { provide: STORE_CONFIG_FILE, useValue: options.configFile },
        ...BACKUP_COMMAND_HANDLERS,
      ],
      exports: [StoreBackend, NamespacesReadModel, Clock, STORE_LIMITS, ExpirySweeper, ReadConsistency],
    };
  }
}
