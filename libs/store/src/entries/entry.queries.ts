import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NamespacesReadModel } from '../namespaces/namespaces.read-model';
import { Clock } from '../shared/clock';
import { StoreError } from '../shared/errors';
import { checkLimit, decodeKeyCursor, encodeKeyCursor, PageOptions } from '../shared/page';
import { validateNamespace } from '../shared/names';
import { EntriesReadModel, EntryView, ListedEntryView } from './entries.read-model';

export class GetEntry extends Query<EntryView> {
  constructor(readonly namespace: string, readonly key: string) {
    super();
  }
}

export class EntryExists extends Query<boolean> {
  constructor(readonly namespace: string, readonly key: string) {
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
  ) {
    super();
  }
}

@QueryHandler(GetEntry)
export class GetEntryHandler implements IQueryHandler<GetEntry> {
  constructor(private readonly entries: EntriesReadModel, private readonly clock: Clock) {}

  async execute({ namespace, key }: GetEntry): Promise<EntryView> {
    const entry = this.entries.get(validateNamespace(namespace), key, this.clock.now().getTime());
    if (!entry) throw new StoreError('ENTRY_NOT_FOUND', `no entry ${JSON.stringify(key)} in namespace ${namespace}`, { key });
    return entry;
  }
}

@QueryHandler(EntryExists)
export class EntryExistsHandler implements IQueryHandler<EntryExists> {
  constructor(private readonly entries: EntriesReadModel, private readonly clock: Clock) {}

  async execute({ namespace, key }: EntryExists): Promise<boolean> {
    return this.entries.get(validateNamespace(namespace), key, this.clock.now().getTime()) !== undefined;
  }
}

@QueryHandler(ListEntries)
export class ListEntriesHandler implements IQueryHandler<ListEntries> {
  constructor(
    private readonly entries: EntriesReadModel,
    private readonly namespaces: NamespacesReadModel,
    private readonly clock: Clock,
  ) {}

  async execute({ namespace, options }: ListEntries): Promise<EntryPage> {
    validateNamespace(namespace);
    const limit = checkLimit(options.limit);
    if (!this.namespaces.get(namespace)) throw new StoreError('NAMESPACE_NOT_FOUND', `no namespace ${namespace}`, { namespace });
    const page = this.entries.list(namespace, {
      prefix: options.prefix ?? '',
      after: options.cursor === undefined ? '' : decodeKeyCursor(options.cursor),
      limit,
      nowMs: this.clock.now().getTime(),
      includeDeleted: options.includeDeleted,
    });
    return { items: page.items, nextCursor: page.lastKey === undefined ? null : encodeKeyCursor(page.lastKey) };
  }
}

export const ENTRY_QUERY_HANDLERS = [GetEntryHandler, EntryExistsHandler, ListEntriesHandler];
