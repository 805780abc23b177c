import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NamespacesReadModel } from '../namespaces/namespaces.read-model';
import { Clock } from '../shared/clock';
import { invalid, StoreError } from '../shared/errors';
import { validateNamespace } from '../shared/names';
import { EntriesReadModel, EntryView } from './entries.read-model';

export const LIST_LIMIT = { default: 100, max: 1000 };

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
  items: EntryView[];
  nextCursor: string | null;
}

export class ListEntries extends Query<EntryPage> {
  constructor(
    readonly namespace: string,
    readonly options: { prefix?: string; limit?: number; cursor?: string } = {},
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
    const limit = options.limit ?? LIST_LIMIT.default;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_LIMIT.max) throw invalid(`limit is a whole number from 1 to ${LIST_LIMIT.max}`);
    if (!this.namespaces.get(namespace)) throw new StoreError('NAMESPACE_NOT_FOUND', `no namespace ${namespace}`, { namespace });
    const page = this.entries.list(namespace, {
      prefix: options.prefix ?? '',
      after: options.cursor === undefined ? '' : decodeCursor(options.cursor),
      limit,
      nowMs: this.clock.now().getTime(),
    });
    return { items: page.items, nextCursor: page.lastKey === undefined ? null : encodeCursor(page.lastKey) };
  }
}

/** List cursors are opaque to clients: the last key returned, wrapped so its form can change. */
export const encodeCursor = (lastKey: string) => Buffer.from(JSON.stringify({ k: lastKey })).toString('base64url');

function decodeCursor(cursor: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const key = (parsed as { k?: unknown })?.k;
    if (typeof key === 'string' && key.length > 0) return key;
  } catch {
    // refused below
  }
  throw new StoreError('CURSOR_INVALID', 'the cursor is not one this store issued', { cursor: cursor.slice(0, 100) });
}

export const ENTRY_QUERY_HANDLERS = [GetEntryHandler, EntryExistsHandler, ListEntriesHandler];
