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
 * A migration is applied to a store when a process of a release that has it starts on a store
 * whose events need it: events of the version it reads from, or older. From then on the store's
 * old events are read through its upcasters (they are never rewritten) and new ones are written in
 * the current shape. A store born under a release holds nothing older and needs none of its
 * migrations. Which versions a store holds is read from its first event: releases append in
 * version order, and a restore into an empty store puts the archive's oldest events first.
 *
 * Recorded exactly once whatever the number of processes starting together: the append expects
 * the stream's revision as read, so of two starting at once one appends, the other's append
 * conflicts, and it reads again and finds nothing left to record. Answers what this call recorded.
 */
export async function recordMigrations(
  log: EventStore, context: CommandContext, migrations: readonly StoreMigration[] = STORE_MIGRATIONS, attempts = 10,
): Promise<SchemaMigratedData[]> {
  for (let attempt = 1; ; attempt++) {
    const oldest = await oldestVersion(log);
    if (oldest === undefined) return [];
    const recorded = await recordedMigrations(log);
    const known = new Set(recorded.map((m) => m.migrationId));
    const missing = migrations.filter((m) => m.fromVersion >= oldest && !known.has(m.migrationId));
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

/** The schemaVersion of the log's first store event (0: written before versions); undefined for an empty log. */
async function oldestVersion(log: EventStore): Promise<number | undefined> {
  const [first] = await log.readAll({ after: 'start', maxCount: 1, streamPrefix: STREAM_PREFIX });
  if (!first) return undefined;
  const version = first.metadata.schemaVersion;
  return typeof version === 'number' ? version : 0;
}
