import { DynamicModule, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { BACKUP_COMMAND_HANDLERS } from './backup/backup.commands';
import { EntriesReadModel } from './read-models/entries/entries.read-model';
import { ENTRY_COMMAND_HANDLERS, STORE_LIMITS } from './commands/entry.commands';
import { ENTRY_QUERY_HANDLERS } from './queries/entry.queries';
import { CreateNamespaceHandler } from './commands/namespace.commands';
import { GetNamespaceHandler, ListNamespacesHandler } from './queries/namespace.queries';
import { NamespacesReadModel } from './read-models/namespaces/namespaces.read-model';
import { READ_WAIT_TIMEOUT_MS, ReadConsistency } from './queries/read-consistency';
import { RebuildReadModelsHandler } from './commands/rebuild.commands';
import { WatchFeedHandler } from './feed/feed.queries';
import { HotReloadHandler, STORE_CONFIG_FILE } from './commands/config.commands';
import { SaveConsumerCheckpointHandler } from './consumers/consumer.commands';
import { GetConsumerHandler, ListReplicasHandler } from './consumers/consumer.queries';
import { StoreBackend } from './runtime/store-backend';
import { HistoryReadModel } from './read-models/history/history.read-model';
import { HISTORY_QUERY_HANDLERS } from './queries/history.queries';
import { GetAuditTrailHandler } from './queries/audit-trail.queries';
import { AuditTrailReadModel } from './read-models/audit-trail/audit-trail.read-model';
import { StatePages } from './read-models/time-travel/state-pages';
import { TimeTravel } from './read-models/time-travel/time-travel';
import { ROLLBACK_COMMAND_HANDLERS } from './commands/rollback.commands';
import { RollbackPointsReadModel } from './read-models/rollback-points/rollback-points.read-model';
import { ROLLBACK_QUERY_HANDLERS } from './queries/rollback.queries';
import { Clock, MonotonicClock, SystemClock } from './shared/clock';
import { StoreLimits } from './shared/limits';
import { TakeSnapshotHandler } from './commands/snapshot.commands';
import { SNAPSHOT_QUERY_HANDLERS } from './queries/snapshot.queries';
import { SnapshotsReadModel } from './read-models/snapshots/snapshots.read-model';
import { SOFT_DELETE_COMMAND_HANDLERS } from './commands/soft-delete.commands';
import { ExpirySweeper, ExpirySweeperOptions, SWEEPER_OPTIONS } from './commands/expiry-sweeper';
import { TTL_COMMAND_HANDLERS } from './commands/ttl.commands';
import { NamespaceWriter } from './write-path/namespace-writer';
import { GOVERNANCE_COMMAND_HANDLERS } from './commands/governance.commands';
import { SCHEMA_COMMAND_HANDLERS } from './commands/schema.commands';
import { ListMigrationsHandler, MigrationRecorder } from './commands/migrations.commands';
import { GOVERNANCE_QUERY_HANDLERS } from './queries/governance.queries';
import { PageCursors } from './shared/page';
import { CURSOR_SECRET_FILE, openPageCursors } from './runtime/cursor-secret';
import { join } from 'node:path';
import { ApiKeys } from './identity/api-keys';
import { LOCK_COMMAND_HANDLERS } from './commands/lock.commands';
import { GetLockHandler } from './queries/lock.queries';
import { LockExpirySweeper } from './commands/lock-expiry-sweeper';
import { AccessAudit } from './access-audit/access-audit';
import { GetAccessAuditHandler } from './access-audit/access-audit.queries';
import { ACCESS_AUDIT_FILE, SqliteAccessAudit, SqliteAccessAuditOptions } from './access-audit/sqlite-access-audit';
import { AccessControl } from './access/access-control';
import { GRANT_COMMAND_HANDLERS } from './commands/grants.commands';
import { GRANT_QUERY_HANDLERS } from './queries/grants.queries';
import { KeyVault } from './crypto/key-vault';
import { NamespaceKeys } from './crypto/sealed-values';
import { SealedReads } from './crypto/sealed-reads';
import { KEY_COMMAND_HANDLERS } from './commands/key.commands';

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
  /** The file holding the secret page cursors are signed with (default: `cursor-secret` in the backend's data directory, made on first use). */
  readonly cursorSecretFile?: string;
  /** The access audit's file (default: `access-audit.db` in the backend's data directory), retention and batching. */
  readonly accessAudit?: Partial<SqliteAccessAuditOptions>;
  /** Opens the key vault when the service has a master key; without one, encrypted namespaces answer KEY_UNAVAILABLE. */
  readonly keyVault?: () => KeyVault;
}

@Injectable()
class BackendLifecycle implements OnApplicationShutdown {
  constructor(private readonly backend: StoreBackend, private readonly accessAudit: AccessAudit) {}

  async onApplicationShutdown(): Promise<void> {
    this.accessAudit.close();
    await this.backend.close();
  }
}

@Injectable()
class KeysLifecycle implements OnApplicationShutdown {
  constructor(private readonly keys: NamespaceKeys) {}

  onApplicationShutdown(): void {
    this.keys.close();
  }
}

/** The key vault's keys, and the writer sealing with them. */
function namespaceKeys(backend: StoreBackend, open?: () => KeyVault): NamespaceKeys {
  const keys = new NamespaceKeys(open?.());
  backend.writer.sealWith((state, decided, now) => keys.sealEvents(state, decided, now));
  return keys;
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
        fromBackend(AuditTrailReadModel, (b) => b.auditTrail),
        fromBackend(RollbackPointsReadModel, (b) => b.rollbackPoints),
        fromBackend(SnapshotsReadModel, (b) => b.snapshots),
        fromBackend(TimeTravel, (b) => b.timeTravel),
        { provide: Clock, useValue: new MonotonicClock(options.clock ?? new SystemClock()) },
        { provide: STORE_LIMITS, useValue: options.limits },
        { provide: SWEEPER_OPTIONS, useValue: { enabled: true, intervalMs: 1000, ...options.sweeper } },
        { provide: READ_WAIT_TIMEOUT_MS, useValue: options.readWaitTimeoutMs ?? 5000 },
        {
          provide: PageCursors,
          useFactory: (b: StoreBackend) => openPageCursors(options.cursorSecretFile ?? join(b.scratchDir, CURSOR_SECRET_FILE)),
          inject: [StoreBackend],
        },
        {
          provide: AccessAudit,
          useFactory: (b: StoreBackend) => new SqliteAccessAudit({
            retentionDays: 30,
            ...options.accessAudit,
            file: options.accessAudit?.file ?? join(b.scratchDir, ACCESS_AUDIT_FILE),
          }),
          inject: [StoreBackend],
        },
        GetAccessAuditHandler,
        { provide: NamespaceKeys, useFactory: (b: StoreBackend) => namespaceKeys(b, options.keyVault), inject: [StoreBackend] },
        { provide: SealedReads, useFactory: (n: NamespacesReadModel, k: NamespaceKeys) => new SealedReads(n, k), inject: [NamespacesReadModel, NamespaceKeys] },
        ReadConsistency,
        BackendLifecycle,
        KeysLifecycle,
        ...KEY_COMMAND_HANDLERS,
        StatePages,
        ExpirySweeper,
        LockExpirySweeper,
        ...LOCK_COMMAND_HANDLERS,
        GetLockHandler,
        ...ENTRY_COMMAND_HANDLERS,
        ...ENTRY_QUERY_HANDLERS,
        ...TTL_COMMAND_HANDLERS,
        ...GOVERNANCE_COMMAND_HANDLERS,
        ...SCHEMA_COMMAND_HANDLERS,
        MigrationRecorder,
        ListMigrationsHandler,
        ...SOFT_DELETE_COMMAND_HANDLERS,
        ...HISTORY_QUERY_HANDLERS,
        GetAuditTrailHandler,
        ...ROLLBACK_COMMAND_HANDLERS,
        ...ROLLBACK_QUERY_HANDLERS,
        TakeSnapshotHandler,
        ...SNAPSHOT_QUERY_HANDLERS,
        ...GOVERNANCE_QUERY_HANDLERS,
        ...GRANT_COMMAND_HANDLERS,
        ...GRANT_QUERY_HANDLERS,
        AccessControl,
        CreateNamespaceHandler,
        ListNamespacesHandler,
        GetNamespaceHandler,
        RebuildReadModelsHandler,
        WatchFeedHandler,
        SaveConsumerCheckpointHandler,
        GetConsumerHandler,
        ListReplicasHandler,
        HotReloadHandler,
        ApiKeys,
        { provide: STORE_CONFIG_FILE, useValue: options.configFile },
        ...BACKUP_COMMAND_HANDLERS,
      ],
      exports: [ApiKeys, AccessAudit, AccessControl, StoreBackend, NamespacesReadModel, Clock, STORE_LIMITS, ExpirySweeper, LockExpirySweeper, ReadConsistency],
    };
  }
}
