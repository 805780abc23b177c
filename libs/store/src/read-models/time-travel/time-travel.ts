import { EventStore } from '@app/event-store';
import { EntryRecord, recordedAt, replayInto } from '../entries/entry-record';
import { requireStoreEvent, StoreEvent } from '../../events/store-event';
import { SnapshotsReadModel } from '../snapshots/snapshots.read-model';
import { namespaceStream } from '../../shared/store-events';
import { HistoryReadModel } from '../history/history.read-model';
import { forgetPurged, PurgedKeys } from '../../events/forget';

const PAGE = 2000;

/**
 * States of the past, rebuilt from the log: from the nearest snapshot at or below the revision
 * asked (or from the start), replaying the events after it with the same evolve as the entries
 * read model. A snapshot only shortens the replay; the answer is the same without it.
 */
export class TimeTravel {
  constructor(
    private readonly log: EventStore,
    private readonly snapshots: SnapshotsReadModel,
    private readonly history: HistoryReadModel,
    private readonly purged: PurgedKeys,
  ) {}

  /** Every record (deleted ones included) of the namespace after `revision`; keys purged since are left out. */
  async stateAt(namespace: string, revision: number): Promise<Map<string, EntryRecord>> {
    const snapshot = this.snapshots.nearest(namespace, revision);
    const records = snapshot ? this.snapshots.records(namespace, snapshot.id) : new Map<string, EntryRecord>();
    for (let next = snapshot ? snapshot.revision + 1 : 0; next <= revision; ) {
      const page = await this.log.readStream(namespaceStream(namespace), next, Math.min(PAGE, revision - next + 1));
      if (page.length === 0) break;
      for (const event of page) replayInto(records, requireStoreEvent(event));
      next = page[page.length - 1].revision + 1;
    }
    for (const key of records.keys()) if (this.purged.purgedAfter(namespace, key, revision)) records.delete(key);
    return records;
  }

  /** The key's record after `revision`, replaying only the key's own events since the nearest snapshot; none if purged since. */
  async entryAt(namespace: string, key: string, revision: number): Promise<EntryRecord | undefined> {
    if (this.purged.purgedAfter(namespace, key, revision)) return undefined;
    const snapshot = this.snapshots.nearest(namespace, revision);
    const records = new Map<string, EntryRecord>();
    const start = snapshot && this.snapshots.record(namespace, snapshot.id, key);
    if (start) records.set(key, start);
    for (const at of this.history.revisions(namespace, key, snapshot?.revision ?? -1, revision)) {
      replayInto(records, await this.eventAt(namespace, at));
    }
    return records.get(key);
  }

  /** When the namespace reached `revision`: the time its event was recorded with. */
  async timeOf(namespace: string, revision: number): Promise<string> {
    return recordedAt(await this.eventAt(namespace, revision)).timestamp;
  }

  async eventAt(namespace: string, revision: number): Promise<StoreEvent> {
    const [event] = await this.log.readStream(namespaceStream(namespace), revision, 1);
    if (!event || event.revision !== revision) throw new Error(`revision ${revision} of namespace ${namespace} is not in the log`);
    return forgetPurged(requireStoreEvent(event), this.purged);
  }
}
