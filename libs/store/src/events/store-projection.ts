import type { Projection, RecordedEvent } from '@app/event-store';
import type { Database } from 'better-sqlite3';
import { StoreEvent, toStoreEvent } from './store-event';

/** A read model fed with decoded store events; the same tables and schema rules as a Projection. */
export interface StoreProjection {
  readonly name: string;
  readonly schema: string;
  readonly tables: readonly string[];
  bind(db: Database): (event: StoreEvent) => void;
}

/** Several typed read models as one Projection: each event is decoded once, then applied to each in order. */
export function storeProjection(name: string, projections: readonly StoreProjection[]): Projection {
  return {
    name,
    schema: projections.map((p) => p.schema).join('\n'),
    tables: projections.flatMap((p) => p.tables),
    bind(db) {
      const appliers = projections.map((p) => p.bind(db));
      return (recorded) => {
        const event = toStoreEvent(recorded);
        if (event) for (const apply of appliers) apply(event);
      };
    },
  };
}

/**
 * One typed read model as a Projection of its own. The projector hands the same event object to
 * each of its projections in turn, so they share one decode through `decodeOnce`.
 */
export function decodingProjection(projection: StoreProjection): Projection {
  return {
    name: projection.name,
    schema: projection.schema,
    tables: projection.tables,
    bind(db) {
      const apply = projection.bind(db);
      return (recorded) => {
        const event = decodeOnce(recorded);
        if (event) apply(event);
      };
    },
  };
}

let lastRecorded: RecordedEvent | undefined;
let lastDecoded: StoreEvent | undefined;

/** Recorded events are immutable, so the decode of the last one seen can be handed out again (a write's answer reuses it). */
export function decodeOnce(recorded: RecordedEvent): StoreEvent | undefined {
  if (recorded !== lastRecorded) {
    lastDecoded = toStoreEvent(recorded);
    lastRecorded = recorded;
  }
  return lastDecoded;
}
