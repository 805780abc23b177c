import { DynamicModule, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { BACKUP_COMMAND_HANDLERS } from './backup/backup.commands';
import { EntriesReadModel } from './entries/entries.read-model';
import { ENTRY_COMMAND_HANDLERS, STORE_LIMITS } from './entries/entry.commands';
import { ENTRY_QUERY_HANDLERS } from './entries/entry.queries';
import { CreateNamespaceHandler } from './namespaces/namespace.commands';
import { GetNamespaceHandler, ListNamespacesHandler } from './namespaces/namespace.queries';
import { NamespacesReadModel } from './namespaces/namespaces.read-model';
import { RebuildReadModelsHandler } from './persistence/rebuild.commands';
import { StoreBackend } from './persistence/store-backend';
import { Clock, SystemClock } from './shared/clock';
import { StoreLimits } from './shared/limits';
import { NamespaceWriter } from './write-path/namespace-writer';

export interface StoreModuleOptions {
  /** Opens the backend (the composition root picks it from config). */
  readonly openBackend: () => StoreBackend | Promise<StoreBackend>;
  readonly limits: StoreLimits;
  readonly clock?: Clock;
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
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        { provide: STORE_LIMITS, useValue: options.limits },
        BackendLifecycle,
        ...ENTRY_COMMAND_HANDLERS,
        ...ENTRY_QUERY_HANDLERS,
        CreateNamespaceHandler,
        ListNamespacesHandler,
        GetNamespaceHandler,
        RebuildReadModelsHandler,
        ...BACKUP_COMMAND_HANDLERS,
      ],
      exports: [StoreBackend, Clock, STORE_LIMITS],
    };
  }
}
