import { snapshotSizeRecorded } from './snapshot.upcasters';
import { Upcaster } from './upcast';

/**
 * A change of the store's event shapes: the upcasters that read the older shape, under a stable
 * id. Each is recorded once per store as StoreSchemaMigrated (events/migrations.ts).
 */
export interface StoreMigration {
  readonly migrationId: string;
  readonly description: string;
  /** The schemaVersion it reads from; it reads into fromVersion + 1. */
  readonly fromVersion: number;
  readonly upcasters: readonly Upcaster[];
}

/**
 * Events written before metadata had a schemaVersion may lack who and why: they read as the values
 * the change feed always showed for missing ones, and as recorded when the log recorded them.
 */
const metadataBeforeSchemaVersions: Upcaster = {
  fromVersion: 0,
  upcast: (event) => ({
    ...event,
    metadata: { actor: 'unknown', correlationId: '', causationId: '', timestamp: event.recordedAt, ...event.metadata },
  }),
};

/**
 * Every migration of the store's events, oldest first. When an event's shape changes: raise
 * SCHEMA_VERSION (shared/store-events.ts), write the upcaster from the old version beside the
 * events (as snapshot.upcasters.ts) and list it here under a new id. Ids are never reused or renamed.
 */
export const STORE_MIGRATIONS: readonly StoreMigration[] = [
  {
    migrationId: '0001-metadata-schema-version',
    description: 'Events written before metadata carried schemaVersion read with actor "unknown", empty correlation and causation ids, and their recording time',
    fromVersion: 0,
    upcasters: [metadataBeforeSchemaVersions],
  },
  { ...snapshotSizeRecorded, upcasters: [snapshotSizeRecorded] },
];

/** Every upcaster of the store's events. */
export const STORE_UPCASTERS: readonly Upcaster[] = STORE_MIGRATIONS.flatMap((m) => m.upcasters);
