import { ConcurrencyError, EventStore } from '@app/event-store';
import { randomUUID } from 'node:crypto';
import { CommandContext, DomainEvent, eventMetadata, STREAM_PREFIX } from '../shared/store-events';
import { requireStoreEvent } from './store-event';
import { STORE_MIGRATIONS, StoreMigration } from './store-upcasters';

export interface SchemaMigratedData {
  readonly migrationId: string;
  readonly description: string;
  /** When this store first ran a release that reads through it. */
  readonly appliedAt: string;
  readonly fromVersion: number;
  readonly toVersion: number;
}

/** A migration of the event shapes, recorded once per store. */
export type SchemaMigrated = DomainEvent<'StoreSchemaMigrated', SchemaMigratedData>;

/** The store's record of its migrations: `_` cannot start a namespace, and backups (namespace streams) leave it out. */
export const MIGRATIONS_STREAM = `${STREAM_PREFIX}_migrations`;

/** The migrations recorded in the log, oldest first. */
export async function recordedMigrations(log: EventStore): Promise<SchemaMigratedData[]> {
  const events = await log.readStream(MIGRATIONS_STREAM);
  return events.map((recorded) => {
    const event = requireStoreEvent(recorded);
    if (event.type !== 'StoreSchemaMigrated') throw new Error(`${event.type} in ${MIGRATIONS_STREAM}`);
    return event.data;
  });
}

/**
 * A migration is applied when a process of a release that has it starts on the store: from then on
 * the store writes the new shape and reads older ones through its upcasters (events are never
 * rewritten). It is recorded then, exactly once whatever the number of processes starting
 * together: the append expects the stream's revision as read, so of two starting at once one
 * appends, the other's append conflicts, and it reads again and finds nothing left to record.
 * Answers the migrations recorded by this call.
 */
export async function recordMigrations(
  log: EventStore, context: CommandContext, migrations: readonly StoreMigration[] = STORE_MIGRATIONS, attempts = 10,
): Promise<SchemaMigratedData[]> {
  for (let attempt = 1; ; attempt++) {
    const recorded = await recordedMigrations(log);
    const known = new Set(recorded.map((m) => m.migrationId));
    const missing = migrations.filter((m) => !known.has(m.migrationId));
    if (missing.length === 0) return [];
    const appliedAt = context.now.toISOString();
    const data = missing.map((m): SchemaMigratedData => ({
      migrationId: m.migrationId, description: m.description, appliedAt, fromVersion: m.fromVersion, toVersion: m.fromVersion + 1,
    }));
    const metadata = eventMetadata(context);
    try {
      await log.append(MIGRATIONS_STREAM, data.map((d) => ({ id: randomUUID(), type: 'StoreSchemaMigrated', data: d, metadata })),
        recorded.length === 0 ? 'no_stream' : recorded.length - 1);
      return data;
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || attempt >= attempts) throw error;
    }
  }
}
