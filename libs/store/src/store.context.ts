import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, CqrsModule, QueryBus } from '@nestjs/cqrs';
import { StoreBackend } from './runtime/store-backend';
import { StoreModule, StoreModuleOptions } from './store.module';

@Module({})
class StoreContextModule {
  static forRoot(options: StoreModuleOptions) {
    return { module: StoreContextModule, imports: [CqrsModule.forRoot(), StoreModule.forRoot(options)] };
  }
}

/** The store's commands and queries without a transport: offline tools (the CLI on a data dir) and tests. */
export interface StoreContext {
  readonly commands: CommandBus;
  readonly queries: QueryBus;
  readonly backend: StoreBackend;
  /** Closes the backend. */
  close(): Promise<void>;
}

export async function createStoreContext(options: StoreModuleOptions): Promise<StoreContext> {
  const app = await NestFactory.createApplicationContext(StoreContextModule.forRoot(options), { logger: false, abortOnError: false });
  await app.init();
  return {
    commands: app.get(CommandBus),
    queries: app.get(QueryBus),
    backend: app.get(StoreBackend),
    close: () => app.close(),
  };
}
