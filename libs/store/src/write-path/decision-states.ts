import { EntryState } from '../namespace/entry';
import { EMPTY_HEAD, evolve, headOf, NamespaceEvent, NamespaceHead, NamespaceState } from '../namespace/namespace';

/** Where a namespace's decision state is loaded from when it is not cached: the read models. */
export interface DecisionStateSource {
  /**
   * The namespace's fields (settings, counts, quota, tags, dependencies; `exists` false once deleted),
   * with the revision the read models are at; undefined when it has no stream.
   */
  namespace(namespace: string): ({ revision: number } & NamespaceHead) | undefined;
  entry(namespace: string, key: string, withContent: boolean): EntryState | undefined;
  allEntries(namespace: string): Map<string, EntryState>;
}

/** The read models are not at the revision a decision needs; wait for them and decide again. */
export class ReadModelsBehind extends Error {
  constructor(readonly namespace: string, readonly revision: number) {
    super(`the read models of namespace ${namespace} have not reached revision ${revision}`);
  }
}

export type KeysToLoad = readonly string[] | 'all';

interface Cached {
  revision: number;
  head: NamespaceHead;
  /** Keys known at `revision`; null: the key has no entry. Content is never kept. */
  readonly entries: Map<string, EntryState | null>;
}

/**
 * The decision state of namespaces, folded by the domain's own `evolve` over the events each write
 * appends. A key not cached yet is loaded from the read models, which are only used when they are
 * at exactly the revision the decision is made at; a namespace whose stream moved on without this
 * process (another writer) is dropped and loaded again.
 */
export class DecisionStates {
  private readonly cache = new Map<string, Cached>();

  /**
   * `readModelsAtHead`: the read models are projected in the append's own transaction, so under the
   * log's write lock they are at the revision a decision sees, and a key needs no check before loading.
   */
  constructor(
    private readonly source: DecisionStateSource,
    private readonly readModelsAtHead = false,
    // Bounds the memory of a namespace's cached keys (~150 bytes each); a key not cached costs one read-model row.
    private readonly maxKeysPerNamespace = 20_000,
  ) {}

  /** The state a decision at `revision` needs: every key of `keys`, with content when asked. */
  at(namespace: string, keys: KeysToLoad, revision: number | undefined, withContent = false): NamespaceState {
    if (revision === undefined) {
      this.cache.delete(namespace);
      return { name: namespace, revision, ...EMPTY_HEAD, entries: new Map() };
    }
    const cached = this.cached(namespace, revision);
    const entries = new Map<string, EntryState>();
    if (keys === 'all') {
      this.requireReadModelsAt(namespace, revision);
      for (const [key, entry] of this.source.allEntries(namespace)) entries.set(key, entry);
    } else {
      for (const key of keys) {
        const entry = this.entry(cached, namespace, key, revision, withContent);
        if (entry) entries.set(key, entry);
      }
    }
    return { name: namespace, revision, ...cached.head, entries };
  }

  /** Folds what a write appended into the cache: `before` is the state it was decided on. */
  advance(before: NamespaceState, events: readonly NamespaceEvent[]): void {
    const after = events.reduce(evolve, before);
    const revision = (before.revision ?? -1) + events.length;
    const cached = this.cache.get(before.name) ?? this.fresh(before.name, revision);
    Object.assign(cached, { revision, head: headOf(after) });
    // A deleted namespace has no entries: the keys cached from its previous life are gone with it.
    const deletedAt = events.findLastIndex((e) => e.type === 'StoreNamespaceDeleted');
    if (cached.entries.size > this.maxKeysPerNamespace || deletedAt >= 0) cached.entries.clear();
    for (const event of events.slice(deletedAt + 1)) {
      if (!('key' in event.data)) continue;
      cached.entries.set(event.data.key, withoutContent(after.entries.get(event.data.key)));
    }
    // Keys known absent in the new life, so that a put after a delete does not look the old rows up.
    if (deletedAt >= 0) for (const key of before.entries.keys()) if (!cached.entries.has(key)) cached.entries.set(key, null);
  }

  /** The revision the read models hold of a namespace. */
  readModelRevision(namespace: string): number | undefined {
    return this.source.namespace(namespace)?.revision;
  }

  /** Forgets a namespace: its next decision loads it again. */
  forget(namespace: string): void {
    this.cache.delete(namespace);
  }

  private cached(namespace: string, revision: number): Cached {
    const cached = this.cache.get(namespace);
    if (cached?.revision === revision) return cached;
    const loaded = this.source.namespace(namespace);
    if (loaded?.revision !== revision) throw new ReadModelsBehind(namespace, revision);
    const fresh = this.fresh(namespace, revision);
    fresh.head = headOf(loaded);
    return fresh;
  }

  private fresh(namespace: string, revision: number): Cached {
    const cached: Cached = { revision, head: EMPTY_HEAD, entries: new Map() };
    this.cache.set(namespace, cached);
    return cached;
  }

  private entry(cached: Cached, namespace: string, key: string, revision: number, withContent: boolean): EntryState | undefined {
    const known = cached.entries.get(key);
    if (known !== undefined && !withContent) return known ?? undefined;
    this.requireReadModelsAt(namespace, revision);
    const loaded = this.source.entry(namespace, key, withContent);
    cached.entries.set(key, withoutContent(loaded));
    return loaded;
  }

  private requireReadModelsAt(namespace: string, revision: number): void {
    if (this.readModelsAtHead) return;
    if (this.source.namespace(namespace)?.revision !== revision) throw new ReadModelsBehind(namespace, revision);
  }
}

const withoutContent = (entry: EntryState | undefined): EntryState | null =>
  entry ? { version: entry.version, expiresAt: entry.expiresAt, deleted: entry.deleted, bytes: entry.bytes } : null;
