import { formatPosition } from '@app/event-store';
import { Caller } from '../shared/request-meta';
import { AccessControl } from '../access/access-control';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { EntryView } from '../read-models/entries/entries.read-model';
import { contentOf, EntryEvent, isEntryEvent } from '../namespace/entry';
import { entryNotFound } from '../namespace/entry.decide';
import { validateNamespace } from '../shared/names';
import { checkLimit, PageCursors, PageOptions } from '../shared/page';
import { HistoryReadModel } from '../read-models/history/history.read-model';
import { StatePages } from '../read-models/time-travel/state-pages';
import { StoreEvent } from '../events/store-event';
import { TimeTravel } from '../read-models/time-travel/time-travel';
import { SealedReads } from '../crypto/sealed-reads';

/** GetEntry at a past namespace revision. */
export class GetEntryAsOf extends Query<EntryView & { asOf: number }> {
  constructor(readonly namespace: string, readonly key: string, readonly revision: number, readonly caller?: Caller) {
    super();
  }
}

/** One change of a key, as the log recorded it. */
export interface HistoryItem {
  revision: number;
  position: string;
  type: EntryEvent['type'];
  /** The version the event made (or ended, for deletes, expiries and purges). */
  version: number;
  actor: string;
  timestamp: string;
  correlationId: string;
  value?: string;
  valueBase64?: string;
  metadata?: Record<string, string>;
  expiresAt?: string | null;
  /** Set when a later purge forgot this write's value and metadata. */
  redacted?: 'purged';
}

/** EntryHistory: every change of a key, oldest first, paged. */
export class GetEntryHistory extends Query<{ items: HistoryItem[]; nextCursor: string | null }> {
  constructor(readonly namespace: string, readonly key: string, readonly page: PageOptions = {}, readonly caller?: Caller) {
    super();
  }
}

@QueryHandler(GetEntryAsOf)
export class GetEntryAsOfHandler implements IQueryHandler<GetEntryAsOf> {
  constructor(private readonly pages: StatePages, private readonly access: AccessControl, private readonly sealed: SealedReads) {}

  async execute({ namespace, key, revision, caller }: GetEntryAsOf) {
    this.access.require(caller, 'read', validateNamespace(namespace));
    this.pages.checkRevision(namespace, revision);
    const entry = await this.pages.entry(namespace, key, revision);
    if (!entry) throw entryNotFound(namespace, key, ` at revision ${revision}`);
    return { ...this.sealed.open(namespace, key, entry), asOf: revision };
  }
}

@QueryHandler(GetEntryHistory)
export class GetEntryHistoryHandler implements IQueryHandler<GetEntryHistory> {
  constructor(private readonly pages: StatePages, private readonly history: HistoryReadModel, private readonly timeTravel: TimeTravel, private readonly cursors: PageCursors,
    private readonly access: AccessControl, private readonly sealed: SealedReads,
  ) {}

  async execute({ namespace, key, page, caller }: GetEntryHistory) {
    this.access.require(caller, 'read', validateNamespace(namespace));
    this.pages.requireStream(namespace);
    const limit = checkLimit(page.limit);
    const after = page.cursor === undefined ? -1 : this.cursors.revision(page.cursor);
    const revisions = this.history.revisions(namespace, key, after, undefined, limit + 1);
    if (revisions.length === 0 && after === -1) throw entryNotFound(namespace, key, ': it has no history');
    const items: HistoryItem[] = [];
    for (const revision of revisions.slice(0, limit)) items.push(this.sealed.open(namespace, key, toItem(await this.timeTravel.eventAt(namespace, revision))));
    const more = revisions.length > limit;
    return { items, nextCursor: more ? this.cursors.forRevision(items[items.length - 1].revision) : null };
  }
}

function toItem(event: StoreEvent): HistoryItem {
  // The history read model indexes entry events only.
  if (!isEntryEvent(event)) throw new Error(`event ${event.id} (${event.type}) at ${event.stream}@${event.revision} is not an entry event`);
  const item: HistoryItem = {
    revision: event.revision,
    position: formatPosition(event.position),
    type: event.type,
    version: event.data.version,
    actor: event.metadata.actor,
    timestamp: event.metadata.timestamp,
    correlationId: event.metadata.correlationId,
  };
  const expiry = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  switch (event.type) {
    case 'StoreEntryCreated':
    case 'StoreEntryUpdated':
    case 'StoreEntryRestored':
      if (event.data.redacted) return { ...item, redacted: event.data.redacted, expiresAt: expiry(event.data.expiresAt) };
      return { ...item, ...contentOf(event.data), expiresAt: expiry(event.data.expiresAt) };
    case 'StoreEntryTtlSet':
      return { ...item, expiresAt: expiry(event.data.expiresAt) };
    default:
      return item;
  }
}

export const HISTORY_QUERY_HANDLERS = [GetEntryAsOfHandler, GetEntryHistoryHandler];
