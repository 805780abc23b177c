import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { recordedMigrations, recordMigrations, SchemaMigratedData } from '../events/migrations';
import { StoreBackend } from '../runtime/store-backend';
import { Clock } from '../shared/clock';

/** Records, at start, the migrations of this release that the store has not recorded yet (events/migrations.ts). */
@Injectable()
export class MigrationRecorder implements OnApplicationBootstrap {
  private readonly logger = new Logger('migrations');

  constructor(private readonly backend: StoreBackend, private readonly clock: Clock) {}

  async onApplicationBootstrap(): Promise<void> {
    const id = randomUUID();
    try {
      const recorded = await recordMigrations(this.backend.eventStore, { actor: 'system', correlationId: id, causationId: 'start', now: this.clock.now() });
      if (recorded.length > 0) this.logger.log({ migrations: recorded.map((m) => m.migrationId) }, 'event migrations recorded');
    } catch (error) {
      // A log that cannot be written now (full disk, backend away) is no reason not to serve reads: the next start records them.
      this.logger.warn({ err: error }, 'event migrations not recorded; the next start tries again');
    }
  }
}

export class ListMigrations extends Query<SchemaMigratedData[]> {}

@QueryHandler(ListMigrations)
export class ListMigrationsHandler implements IQueryHandler<ListMigrations> {
  constructor(private readonly backend: StoreBackend) {}

  execute(): Promise<SchemaMigratedData[]> {
    return recordedMigrations(this.backend.eventStore);
  }
}
