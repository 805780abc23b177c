import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NamespacesReadModel } from '../namespaces/namespaces.read-model';
import { ReadConsistency } from '../persistence/read-consistency';
import { Clock } from '../shared/clock';
import { invalid, StoreError } from '../shared/errors';
import { validateNamespace } from '../shared/names';
import { EntriesReadModel, EntryView } from './entries.read-model';

export const LIST_LIMIT = { default: 100, max: 1000 };

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
  items: EntryView[];
  nextCursor: string | null;
}

export class ListEntries extends Query<EntryPage> {
  constructor(
    readonly namespace: string,
    readonly options: { prefix?: string; limit?: number; cursor?: string } = {},
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
    const limit = options.limit ?? LIST_LIMIT.default;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > LIST_LIMIT.max) throw invalid(`limit is a whole number from 1 to ${LIST_LIMIT.max}`);
    const after = options.cursor === undefined ? '' : decodeCursor(options.cursor);
    await this.reads.ready(minPosition);
    if (!this.namespaces.get(namespace)) throw new StoreError('NAMESPACE_NOT_FOUND', `no namespace ${namespace}`, { namespace });
    const page = this.entries.list(namespace, {
      prefix: options.prefix ?? '',
      after,
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
