import type { Database, Statement } from 'better-sqlite3';
import { decodingProjection, StoreProjection } from '../../events/store-projection';
import { prefixUpperBound } from '../../shared/names';
import { decodeValue, encodeValue, EncodedValue, EntryState, isEntryEvent } from '../../namespace/entry';
import { EntryRecord, evolveRecord, isEntryWritten, isVisible, recordedAt, writtenRecord } from './entry-record';

/** Columns of an entry row; snapshots keep rows of the same shape. */
export const ENTRY_COLUMNS = 'key, value, metadata, version, created_at, updated_at, expires_at, mod_revision, deleted_at';
export const ENTRY_COLUMNS_DDL = `
      key          TEXT    NOT NULL,
      value        BLOB    NOT NULL,
      metadata     TEXT    NOT NULL,
      version      INTEGER NOT NULL,
      created_at   TEXT    NOT NULL,
      updated_at   TEXT    NOT NULL,
      expires_at   INTEGER,
      mod_revision INTEGER NOT NULL,
      deleted_at   TEXT`;

/**
 * The row the entries projection wrote last, per database: a write's answer, computed right after its
 * events are applied (in the same transaction), reads it here instead of reading the row back.
 */
const lastWritten = new WeakMap<Database, { namespace: string; key: string; eventId: string; record: EntryRecord | undefined }>();

export const entriesTypedProjection: StoreProjection = {
  name: 'entries',
  tables: ['entries'],
  schema: `
    CREATE TABLE IF NOT EXISTS entries (
      namespace    TEXT    NOT NULL,
      ${ENTRY_COLUMNS_DDL},
      PRIMARY KEY (namespace, key)
    ) STRICT;
    CREATE INDEX IF NOT EXISTS entries_by_expiry ON entries (expires_at) WHERE expires_at IS NOT NULL;`,
  bind(db) {
    const get = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE namespace = ? AND key = ?`);
    const createdAt = db.prepare('SELECT created_at FROM entries WHERE namespace = ? AND key = ?').pluck();
    // Positional parameters: binding by name costs more, and this runs for every event of a rebuild.
    const upsert = db.prepare(`INSERT OR REPLACE INTO entries (namespace, ${ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const remove = db.prepare('DELETE FROM entries WHERE namespace = ? AND key = ?');
    const removeAll = db.prepare('DELETE FROM entries WHERE namespace = ?');
    const createdBefore = (namespace: string, key: string): string | undefined => {
      const at: unknown = createdAt.get(namespace, key);
      return typeof at === 'string' ? at : undefined;
    };
    const recordBefore = (namespace: string, key: string): EntryRecord | undefined => {
      const row = get.get(namespace, key) as EntryRow | undefined;
      return row && toRecord(row);
    };
    return (event) => {
      // A deleted namespace's entries are gone (the log and the history keep them); a new life starts empty.
      if (event.type === 'StoreNamespaceDeleted') {
        removeAll.run(event.data.namespace);
        lastWritten.delete(db);
        return;
      }
      if (!isEntryEvent(event)) return;
      const { namespace, key } = event.data;
      const at = recordedAt(event);
      const after = isEntryWritten(event)
        ? writtenRecord(event.type === 'StoreEntryCreated' ? undefined : createdBefore(namespace, key), event, at)
        : evolveRecord(recordBefore(namespace, key), event, at);
      if (after) upsert.run(...toRow(namespace, after));
      else remove.run(namespace, key);
      lastWritten.set(db, { namespace, key, eventId: event.id, record: after });
    };
  },
};

export const entriesProjection = decodingProjection(entriesTypedProjection);

export type EntryView = EncodedValue & {
  namespace: string;
  key: string;
  metadata: Record<string, string>;
  version: number;
  /** Namespace revision of the entry's last change. */
  modRevision: number;
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
};

/** A listing with deleted entries shows when each was deleted and whether it can still be restored. */
export type ListedEntryView = EntryView & { deletedAt?: string | null; restorable?: boolean };

export interface EntryRow {
  key: string;
  value: Buffer;
  metadata: string;
  version: number;
  created_at: string;
  updated_at: string;
  expires_at: number | null;
  mod_revision: number;
  deleted_at: string | null;
}

export const toRecord = (row: EntryRow): EntryRecord => ({
  key: row.key,
  ...encodeValue(row.value),
  metadata: JSON.parse(row.metadata),
  version: row.version,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  expiresAt: row.expires_at,
  modRevision: row.mod_revision,
  deletedAt: row.deleted_at,
});

/** The row's values in the order of `namespace, ${ENTRY_COLUMNS}`. */
const toRow = (namespace: string, r: EntryRecord) => [
  namespace, r.key, decodeValue(r), JSON.stringify(r.metadata), r.version, r.createdAt, r.updatedAt, r.expiresAt, r.modRevision, r.deletedAt,
];

export const toEntryView = (namespace: string, r: EntryRecord): EntryView => ({
  namespace,
  key: r.key,
  ...(r.valueBase64 !== undefined ? { valueBase64: r.valueBase64 } : { value: r.value! }),
  metadata: { ...r.metadata },
  version: r.version,
  modRevision: r.modRevision,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  expiresAt: r.expiresAt === null ? null : new Date(r.expiresAt).toISOString(),
});

export interface ListPage {
  readonly items: ListedEntryView[];
  /** Key to continue after, when there may be more. */
  readonly lastKey?: string;
}

export interface ListOptions {
  readonly prefix: string;
  readonly after: string;
  readonly limit: number;
  readonly nowMs: number;
  readonly includeDeleted?: boolean;
}

const LIVE = 'deleted_at IS NULL AND (expires_at IS NULL OR expires_at > @now)';
const LIVE_OR_DELETED = '(deleted_at IS NOT NULL OR expires_at IS NULL OR expires_at > @now)';

/** Reads of the entries read model; every read hides deleted entries and those whose TTL has passed. */
export class EntriesReadModel {
  private readonly one: Statement;
  private readonly state: Statement;
  private readonly allRows: Statement;
  private readonly lists: Record<'live' | 'withDeleted', Record<'bounded' | 'open', Statement>>;
  private readonly expired: Statement;
  private readonly next: Statement;

  constructor(private readonly db: Database) {
    // Positional parameters: this read answers every get and every write.
    this.one = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE namespace = ? AND key = ?
      AND deleted_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`);
    this.state = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE namespace = ? AND key = ?`);
    this.allRows = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE namespace = ?`);
    const range = (filter: string, bounded: boolean) =>
      db.prepare(
        `SELECT ${ENTRY_COLUMNS} FROM entries WHERE namespace = @namespace AND key > @after AND key >= @from
         ${bounded ? 'AND key < @to' : ''} AND ${filter} ORDER BY key LIMIT @limit`,
      );
    this.lists = {
      live: { bounded: range(LIVE, true), open: range(LIVE, false) },
      withDeleted: { bounded: range(LIVE_OR_DELETED, true), open: range(LIVE_OR_DELETED, false) },
    };
    this.expired = db.prepare(
      'SELECT namespace, key FROM entries WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?',
    );
    this.next = db.prepare('SELECT min(expires_at) AS at FROM entries WHERE expires_at IS NOT NULL AND expires_at > ?');
  }

  /** The entry as the event `eventId` left it, when that was the last event applied here; else the row as it is. */
  justWritten(namespace: string, key: string, nowMs: number, eventId: string): EntryView | undefined {
    const last = lastWritten.get(this.db);
    if (last?.eventId !== eventId || last.namespace !== namespace || last.key !== key) return this.get(namespace, key, nowMs);
    return last.record && isVisible(last.record, nowMs) ? toEntryView(namespace, last.record) : undefined;
  }

  get(namespace: string, key: string, nowMs: number): EntryView | undefined {
    const row = this.one.get(namespace, key, nowMs) as EntryRow | undefined;
    return row && toEntryView(namespace, toRecord(row));
  }

  /** Decision state of a key, deleted or expired or not: the decider judges with its own clock. */
  entryState(namespace: string, key: string, withContent = false): EntryState | undefined {
    const row = this.state.get(namespace, key) as EntryRow | undefined;
    return row && toState(row, withContent);
  }

  /** Decision state, with content, of every key of a namespace that has a record. */
  allEntryStates(namespace: string): Map<string, EntryState> {
    return new Map((this.allRows.all(namespace) as EntryRow[]).map((row) => [row.key, toState(row, true)]));
  }

  list(namespace: string, options: ListOptions): ListPage {
    const to = prefixUpperBound(options.prefix);
    const params = { namespace, after: options.after, from: options.prefix, limit: options.limit + 1, now: options.nowMs };
    const statements = this.lists[options.includeDeleted ? 'withDeleted' : 'live'];
    const rows = (to === undefined ? statements.open.all(params) : statements.bounded.all({ ...params, to })) as EntryRow[];
    const items = rows.slice(0, options.limit).map((row): ListedEntryView => {
      const view = toEntryView(namespace, toRecord(row));
      if (!options.includeDeleted) return view;
      const restorable = row.deleted_at !== null && (row.expires_at === null || row.expires_at > options.nowMs);
      return { ...view, deletedAt: row.deleted_at, restorable };
    });
    return rows.length > options.limit ? { items, lastKey: items[items.length - 1].key } : { items };
  }

  /** Keys, live or deleted, whose expiry has passed by `nowMs` and is not recorded yet; soonest first. */
  expiredBy(nowMs: number, limit: number): { namespace: string; key: string }[] {
    return this.expired.all(nowMs, limit) as { namespace: string; key: string }[];
  }

  /** The next expiry after `nowMs`, if any entry has one. */
  nextExpiryAfter(nowMs: number): number | undefined {
    return (this.next.get(nowMs) as { at: number | null }).at ?? undefined;
  }
}

function toState(row: EntryRow, withContent: boolean): EntryState {
  const state = { version: row.version, expiresAt: row.expires_at, deleted: row.deleted_at !== null, bytes: Buffer.byteLength(row.key) + row.value.length };
  return withContent ? { ...state, content: { ...encodeValue(row.value), metadata: JSON.parse(row.metadata) } } : state;
}
