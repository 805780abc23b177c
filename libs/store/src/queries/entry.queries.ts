import { Injectable } from '@nestjs/common';
import { Caller } from '../shared/request-meta';
import { AccessControl } from '../access/access-control';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NamespacesReadModel } from '../read-models/namespaces/namespaces.read-model';
import { ReadConsistency } from './read-consistency';
import { Clock } from '../shared/clock';
import { checkLimit, PageCursors, PageOptions } from '../shared/page';
import { validateNamespace } from '../shared/names';
import { EntriesReadModel, EntryView, ListedEntryView } from '../read-models/entries/entries.read-model';
import { entryNotFound } from '../namespace/entry.decide';
import { SealedReads } from '../crypto/sealed-reads';

export class GetEntry extends Query<EntryView> {
  constructor(readonly namespace: string, readonly key: string, readonly minPosition?: string, readonly caller?: Caller) {
    super();
  }
}

export class EntryExists extends Query<boolean> {
  constructor(readonly namespace: string, readonly key: string, readonly minPosition?: string, readonly caller?: Caller) {
    super();
  }
}

export interface EntryPage {
  items: ListedEntryView[];
  nextCursor: string | null;
}

export class ListEntries extends Query<EntryPage> {
  constructor(
    readonly namespace: string,
    readonly options: PageOptions & { prefix?: string; includeDeleted?: boolean } = {},
    readonly minPosition?: string,
    readonly caller?: Caller,
  ) {
    super();
  }
}

/** The entry as a read now sees it (undefined when absent, deleted or expired), once `minPosition` is projected. */
@Injectable()
class VisibleEntries {
  constructor(
    private readonly entries: EntriesReadModel, private readonly clock: Clock, private readonly reads: ReadConsistency, private readonly access: AccessControl,
  ) {}

  async find({ namespace, key, minPosition, caller }: GetEntry | EntryExists): Promise<EntryView | undefined> {
    validateNamespace(namespace);
    this.access.require(caller, 'read', namespace);
    await this.reads.ready(minPosition);
    return this.entries.get(namespace, key, this.clock.now().getTime());
  }
}

@QueryHandler(GetEntry)
export class GetEntryHandler implements IQueryHandler<GetEntry> {
  constructor(private readonly visible: VisibleEntries, private readonly sealed: SealedReads) {}

  async execute(query: GetEntry): Promise<EntryView> {
    const entry = await this.visible.find(query);
    if (!entry) throw entryNotFound(query.namespace, query.key);
    return this.sealed.open(query.namespace, query.key, entry);
  }
}

@QueryHandler(EntryExists)
export class EntryExistsHandler implements IQueryHandler<EntryExists> {
  constructor(private readonly visible: VisibleEntries) {}

  async execute(query: EntryExists): Promise<boolean> {
    return (await this.visible.find(query)) !== undefined;
  }
}

@QueryHandler(ListEntries)
export class ListEntriesHandler implements IQueryHandler<ListEntries> {
  constructor(
    private readonly entries: EntriesReadModel,
    private readonly namespaces: NamespacesReadModel,
    private readonly clock: Clock,
    private readonly reads: ReadConsistency,
    private readonly cursors: PageCursors,
    private readonly access: AccessControl,
    private readonly sealed: SealedReads,
  ) {}

  async execute({ namespace, options, minPosition, caller }: ListEntries): Promise<EntryPage> {
    validateNamespace(namespace);
    this.access.require(caller, 'read', namespace);
    const limit = checkLimit(options.limit);
    const after = options.cursor === undefined ? '' : this.cursors.key(options.cursor);
    await this.reads.ready(minPosition);
    this.namespaces.require(namespace);
    const page = this.entries.list(namespace, {
      prefix: options.prefix ?? '',
      after,
      limit,
      nowMs: this.clock.now().getTime(),
      includeDeleted: options.includeDeleted,
    });
    return { items: this.sealed.openAll(namespace, page.items), nextCursor: page.lastKey === undefined ? null : this.cursors.forKey(page.lastKey) };
  }
}

export const ENTRY_QUERY_HANDLERS = [VisibleEntries, GetEntryHandler, EntryExistsHandler, ListEntriesHandler];
