import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NamespacesReadModel } from '../namespaces/namespaces.read-model';
import { ReadConsistency } from '../persistence/read-consistency';
import { Clock } from '../shared/clock';
import { StoreError } from '../shared/errors';
import { checkLimit, decodeKeyCursor, encodeKeyCursor, PageOptions } from '../shared/page';
import { validateNamespace } from '../shared/names';
import { EntriesReadModel, EntryView, ListedEntryView } from './entries.read-model';

export class GetEntry extends Query<EntryView> {
  constructor(readonly namespace: string, readonly key: string, readonly minPosition?: string) {
    super();
  }
}

export class EntryExists extends Query<boolean> {
  constructor(readonly namespace: string, readonly key: string, readonly minPosition?: string) {
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
  ) {
    super();
  }
}

@QueryHandler(GetEntry)
export class GetEntryHandler implements IQueryHandler<GetEntry> {
  constructor(private readonly entries: EntriesReadModel, private readonly clock: Clock, private readonly reads: ReadConsistency) {}

  async execute({ namespace, key, minPosition }: GetEntry): Promise<EntryView> {
    validateNamespace(namespace);
    await this.reads.ready(minPosition);
    const entry = this.entries.get(namespace, key, this.clock.now().getTime());
    if (!entry) throw new StoreError('ENTRY_NOT_FOUND', `no entry ${JSON.stringify(key)} in namespace ${namespace}`, { key });
    return entry;
  }
}

@QueryHandler(EntryExists)
export class EntryExistsHandler implements IQueryHandler<EntryExists> {
  constructor(private readonly entries: EntriesReadModel, private readonly clock: Clock, private readonly reads: ReadConsistency) {}

  async execute({ namespace, key, minPosition }: EntryExists): Promise<boolean> {
    validateNamespace(namespace);
    await this.reads.ready(minPosition);
    return this.entries.get(namespace, key, this.clock.now().getTime()) !== undefined;
  }
}

@QueryHandler(ListEntries)
export class ListEntriesHandler implements IQueryHandler<ListEntries> {
  constructor(
    private readonly entries: EntriesReadModel,
    private readonly namespaces: NamespacesReadModel,
    private readonly clock: Clock,
    private readonly reads: ReadConsistency,
  ) {}

  async execute({ namespace, options, minPosition }: ListEntries): Promise<EntryPage> {
    validateNamespace(namespace);
    const limit = checkLimit(options.limit);
    const after = options.cursor === undefined ? '' : decodeKeyCursor(options.cursor);
    await this.reads.ready(minPosition);
    if (!this.namespaces.get(namespace)) throw new StoreError('NAMESPACE_NOT_FOUND', `no namespace ${namespace}`, { namespace });
    const page = this.entries.list(namespace, {
      prefix: options.prefix ?? '',
      after,
      limit,
      nowMs: this.clock.now().getTime(),
      includeDeleted: options.includeDeleted,
    });
    return { items: page.items, nextCursor: page.lastKey === undefined ? null : encodeKeyCursor(page.lastKey) };
  }
}

export const ENTRY_QUERY_HANDLERS = [GetEntryHandler, EntryExistsHandler, ListEntriesHandler];
