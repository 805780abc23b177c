import { DuplicateEventIdError } from '../errors';
import { AppendResult, EventData, RecordedEvent } from '../event-store.port';
import { ExistingStream, ImportConflictError, ImportedEvent, LogImport } from '../log-import';
import { position } from '../position';

/** What an import needs of the SQLite adapter, all of it synchronous under the write lock. */
export interface ImportTarget {
  transact<T>(work: () => T): Promise<T>;
  incarnation(): string;
  refreshIncarnation(): void;
  renewIncarnation(): string;
  head(): number;
  readStream(stream: string, fromRevision: number, maxCount: number): RecordedEvent[];
  find(id: string): { stream: string; position: number } | undefined;
  importEvents(events: readonly ImportedEvent[]): AppendResult;
  append(stream: string, events: readonly EventData[]): AppendResult;
}

/**
 * One group-commit transaction holding the write lock: the check of existing streams, the import,
 * the new incarnation and the closing event commit together or not at all.
 */
export async function importInto<R>(target: ImportTarget, plan: LogImport<R>): Promise<R> {
  try {
    return await target.transact(() => {
      if (plan.decide(existingStreams(target, plan)) === 'skip') {
        const head = target.head();
        const incarnation = target.incarnation();
        return plan.respond({ imported: false, incarnation, position: head === 0 ? undefined : position(incarnation, head) });
      }
      const previous = target.incarnation();
      const next = target.renewIncarnation();
      const headBefore = target.head();
      let imported = 0;
      try {
        for (const batch of plan.events()) {
          target.importEvents(batch);
          imported += batch.length;
          plan.onImported?.(imported);
        }
      } catch (error) {
        if (!(error instanceof DuplicateEventIdError)) throw error;
        const holder = target.find(error.eventId);
        throw holder && holder.position <= headBefore ? new ImportConflictError(error.eventId, holder.stream) : error;
      }
      const { stream, ...closing } = plan.closingEvent({ previous, next });
      const appended = target.append(stream, [closing]);
      return plan.respond({ imported: true, incarnation: next, position: appended.position });
    });
  } catch (error) {
    target.refreshIncarnation(); // the renewal, if any, was rolled back with the rest
    throw error;
  }
}

function existingStreams(target: ImportTarget, plan: LogImport<unknown>): Map<string, ExistingStream> {
  const existing = new Map<string, ExistingStream>();
  for (const [stream, { lastRevision }] of plan.streams) {
    const [first] = target.readStream(stream, 0, 1);
    if (!first) continue;
    const [atHead] = target.readStream(stream, lastRevision, 1);
    existing.set(stream, { firstId: first.id, idAtImportHead: atHead?.id });
  }
  return existing;
}
