import { DuplicateEventIdError, position, SqliteEventStore } from '@app/event-store';
import { randomUUID } from 'node:crypto';
import { StoreError } from '../shared/errors';
import { eventMetadata, STORE_WIDE_STREAM } from '../shared/store-events';
import { archiveInvalid } from './archive';
import { ExistingStream, RestoreRequest } from './backup';

/**
 * A restore on the embedded backend: one group-commit transaction holding SQLite's write lock, so
 * the check for existing namespaces, the import, the new incarnation and the StoreRestored event
 * commit together or not at all. Read models follow through the inline listeners.
 */
export async function restoreIntoSqlite<R>(store: SqliteEventStore, request: RestoreRequest<R>): Promise<R> {
  try {
    return await store.transact((tx) => {
      const decision = request.decide(existingStreams(store, request));
      if (decision === 'already-restored') {
        const head = store.headSync();
        return request.respond({ decision, incarnation: store.incarnation, position: head === 0 ? undefined : position(store.incarnation, head) });
      }
      const previous = store.incarnation;
      const next = tx.renewIncarnation();
      const headBefore = store.headSync();
      let imported = 0;
      try {
        for (const batch of request.events()) {
          tx.importEvents(batch.map(({ timestamp, ...event }) => ({ ...event, recordedAt: timestamp })));
          imported += batch.length;
          request.onImported?.(imported);
        }
      } catch (error) {
        if (error instanceof DuplicateEventIdError) throw duplicateId(store, error.eventId, headBefore);
        throw error;
      }
      const { type, data } = request.restoredEvent({ previous, next });
      const recorded = tx.append(STORE_WIDE_STREAM, [{ id: randomUUID(), type, data, metadata: eventMetadata(request.context) }], 'any');
      return request.respond({ decision, incarnation: next, position: recorded.position });
    });
  } catch (error) {
    store.refreshIncarnation(); // the renewal, if any, was rolled back with the rest
    throw error;
  }
}

function existingStreams(store: SqliteEventStore, request: RestoreRequest<unknown>): Map<string, ExistingStream> {
  const existing = new Map<string, ExistingStream>();
  for (const [stream, summary] of request.streams) {
    const [first] = store.readStreamSync(stream, 0, 1);
    if (!first) continue;
    const [atHead] = store.readStreamSync(stream, summary.lastRevision, 1);
    existing.set(stream, { firstId: first.id, idAtArchiveHead: atHead?.id });
  }
  return existing;
}

/** An id the import met twice: in the store before the restore (a conflict) or twice in the archive. */
function duplicateId(store: SqliteEventStore, id: string, headBefore: number): StoreError {
  const holder = store.findEventSync(id);
  if (holder && holder.position <= headBefore) {
    return new StoreError('RESTORE_CONFLICT', `event id ${id} of the archive is already in the store (stream ${holder.stream})`, { eventId: id });
  }
  return archiveInvalid(`event id ${id} appears twice`, { eventId: id });
}
