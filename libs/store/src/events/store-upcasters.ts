import { Upcaster } from './upcast';

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
 * Every upcaster of the store's events. When an event's shape changes: raise SCHEMA_VERSION
 * (shared/store-events.ts), write the upcaster from the old version beside the event
 * (e.g. entries/entry.upcasters.ts for StoreEntryCreated) and list it here.
 */
export const STORE_UPCASTERS: readonly Upcaster[] = [metadataBeforeSchemaVersions];
