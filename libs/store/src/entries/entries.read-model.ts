import type { Database, Statement } from 'better-sqlite3';
import { Projection, RecordedEvent } from '@app/event-store';
import { prefixUpperBound } from '../shared/names';
import { StoreEventMetadata } from '../shared/store-events';
import { decodeValue, encodeValue, EncodedValue, EntryEvent, EntryState } from './entry';

export const entriesProjection: Projection = {
  name: 'entries',
  tables: ['entries'],
  schema: `
    CREATE TABLE IF NOT EXISTS entries (
      namespace    TEXT    NOT NULL,
      key          TEXT    NOT NULL,
      value        BLOB    NOT NULL,
      metadata     TEXT    NOT NULL,
      version      INTEGER NOT NULL,
      created_at   TEXT    NOT NULL,
      updated_at   TEXT    NOT NULL,
      expires_at   INTEGER,
      mod_revision INTEGER NOT NULL,
      PRIMARY KEY (namespace, key)
    ) STRICT;`,
  bind(db) {
    const upsert = db.prepare(
      `INSERT INTO entries (namespace, key, value, metadata, version, created_at, updated_at, expires_at, mod_revision)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, metadata = excluded.metadata,
         version = excluded.version, updated_at = excluded.updated_at, expires_at = excluded.expires_at,
         mod_revision = excluded.mod_revision,
         created_at = CASE WHEN excluded.version = 1 THEN excluded.created_at ELSE created_at END`,
    );
    const remove = db.prepare('DELETE FROM entries WHERE namespace = ? AND key = ?');
    return (recorded: RecordedEvent) => {
      const event = recorded as unknown as EntryEvent;
      switch (event.type) {
        case 'StoreEntryCreated':
        case 'StoreEntryUpdated': {
          const d = event.data;
          // Positional parameters: binding an object by name costs more, and this runs for every event of a rebuild.
          const at = (recorded.metadata as unknown as StoreEventMetadata).timestamp;
          upsert.run(d.namespace, d.key, decodeValue(d), JSON.stringify(d.metadata), d.version, at, at, d.expiresAt, recorded.revision);
          return;
        }
        case 'StoreEntryDeleted':
          remove.run(event.data.namespace, event.data.key);
      }
    };
  },
};

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

interface EntryRow {
  namespace: string;
  key: string;
  value: Buffer;
  metadata: string;
  version: number;
  created_at: string;
  updated_at: string;
  expires_at: number | null;
  mod_revision: number;
}

export interface ListPage {
  readonly items: EntryView[];
  /** Key to continue after, when there may be more. */
  readonly lastKey?: string;
}

/** Reads of the entries read model; every read hides entries whose TTL has passed. */
export class EntriesReadModel {
  private readonly one: Statement;
  private readonly state: Statement;
  private readonly range: Statement;
  private readonly openRange: Statement;

  constructor(db: Database) {
    const live = '(expires_at IS NULL OR expires_at > @now)';
    this.one = db.prepare(`SELECT * FROM entries WHERE namespace = @namespace AND key = @key AND ${live}`);
    this.state = db.prepare('SELECT version, expires_at FROM entries WHERE namespace = ? AND key = ?');
    this.range = db.prepare(
      `SELECT * FROM entries WHERE namespace = @namespace AND key > @after AND key >= @from AND key < @to AND ${live}
       ORDER BY key LIMIT @limit`,
    );
    this.openRange = db.prepare(
      `SELECT * FROM entries WHERE namespace = @namespace AND key > @after AND key >= @from AND ${live}
       ORDER BY key LIMIT @limit`,
    );
  }

  get(namespace: string, key: string, nowMs: number): EntryView | undefined {
    const row = this.one.get({ namespace, key, now: nowMs }) as EntryRow | undefined;
    return row && toView(row);
  }

  /** Decision state of a key, expired or not: the decider judges expiry with its own clock. */
  entryState(namespace: string, key: string): EntryState | undefined {
    const row = this.state.get(namespace, key) as { version: number; expires_at: number | null } | undefined;
    return row && { version: row.version, expiresAt: row.expires_at };
  }

  list(namespace: string, options: { prefix: string; after: string; limit: number; nowMs: number }): ListPage {
    const to = prefixUpperBound(options.prefix);
    const params = { namespace, after: options.after, from: options.prefix, limit: options.limit + 1, now: options.nowMs };
    const rows = (to === undefined ? this.openRange.all(params) : this.range.all({ ...params, to })) as EntryRow[];
    const items = rows.slice(0, options.limit).map(toView);
    return rows.length > options.limit ? { items, lastKey: items[items.length - 1].key } : { items };
  }
}

function toView(row: EntryRow): EntryView {
  return {
    namespace: row.namespace,
    key: row.key,
    ...encodeValue(row.value),
    metadata: JSON.parse(row.metadata),
    version: row.version,
    modRevision: row.mod_revision,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at).toISOString(),
  };
}
