import type { Database, Statement } from 'better-sqlite3';
import { EntryEvent, isEntryEvent } from '../../namespace/entry';
import { isNamespaceEvent } from '../../events/store-event';
import { decodingProjection, StoreProjection } from '../../events/store-projection';
import { namespaceNotFound } from '../../namespace/namespace';

const entryBytes = (key: string, valueBytes: number) => Buffer.byteLength(key) + valueBytes;

/**
 * Namespaces with their live entry count and bytes (key + value; deleted entries do not count,
 * expired ones until their expiry is recorded), and the revision of their stream's last event.
 * It reads the entry's previous size from the entries table, so it must run before the entries projection.
 */
export const namespacesTypedProjection: StoreProjection = {
  name: 'namespaces',
  tables: ['namespaces'],
  schema: `
    CREATE TABLE IF NOT EXISTS namespaces (
      name        TEXT    PRIMARY KEY,
      entry_count INTEGER NOT NULL,
      bytes       INTEGER NOT NULL,
      revision    INTEGER NOT NULL,
      default_ttl_seconds INTEGER,
      created_at  TEXT    NOT NULL,
      updated_at  TEXT    NOT NULL
    ) STRICT;`,
  bind(db) {
    const create = db.prepare(
      `INSERT INTO namespaces (name, entry_count, bytes, revision, created_at, updated_at)
       VALUES (?, 0, 0, ?, ?, ?) ON CONFLICT (name) DO NOTHING`,
    );
    const change = db.prepare(
      `UPDATE namespaces SET entry_count = entry_count + ?, bytes = bytes + ?, revision = ?, updated_at = ? WHERE name = ?`,
    );
    const configure = db.prepare('UPDATE namespaces SET default_ttl_seconds = ? WHERE name = ?');
    const previousSize = db.prepare('SELECT length(value) AS size FROM entries WHERE namespace = ? AND key = ? AND deleted_at IS NULL');
    const liveSize = (ns: string, key: string): number | undefined => {
      const row = previousSize.get(ns, key) as { size: number } | undefined;
      return row && entryBytes(key, row.size);
    };
    return (event) => {
      if (!isNamespaceEvent(event)) return;
      const at = event.metadata.timestamp;
      const name = event.data.namespace;
      if (event.type === 'StoreNamespaceCreated') {
        create.run(name, event.revision, at, at);
        return;
      }
      if (event.type === 'StoreNamespaceConfigured') configure.run(event.data.defaultTtlSeconds, name);
      // A key is created only where it is not live (never written, deleted, or its expiry recorded just before).
      const before = isEntryEvent(event) && event.type !== 'StoreEntryCreated' ? liveSize(name, event.data.key) : undefined;
      const after = isEntryEvent(event) ? sizeAfter(event, before) : undefined;
      const count = Number(after !== undefined) - Number(before !== undefined);
      // Positional parameters: binding by name costs more, and this runs for every event of a rebuild.
      change.run(count, (after ?? 0) - (before ?? 0), event.revision, at, name);
    };
  },
};

export const namespacesProjection = decodingProjection(namespacesTypedProjection);

function sizeAfter(event: EntryEvent, before: number | undefined): number | undefined {
  switch (event.type) {
    case 'StoreEntryCreated':
    case 'StoreEntryUpdated':
    case 'StoreEntryRestored':
      return entryBytes(event.data.key, valueSize(event.data));
    case 'StoreEntryTtlSet':
      return before;
    case 'StoreEntryDeleted':
    case 'StoreEntryExpired':
    case 'StoreEntryPurged':
      return undefined;
  }
}

function valueSize(data: { value?: string; valueBase64?: string }): number {
  return data.valueBase64 !== undefined ? Buffer.from(data.valueBase64, 'base64').length : Buffer.byteLength(data.value!);
}

export interface NamespaceView {
  name: string;
  entryCount: number;
  bytes: number;
  revision: number;
  defaultTtlSeconds: number | null;
  createdAt: string;
  updatedAt: string;
}

interface NamespaceRow {
  name: string;
  entry_count: number;
  bytes: number;
  revision: number;
  default_ttl_seconds: number | null;
  created_at: string;
  updated_at: string;
}

export class NamespacesReadModel {
  private readonly one: Statement;
  private readonly all: Statement;

  constructor(db: Database) {
    this.one = db.prepare('SELECT * FROM namespaces WHERE name = ?');
    this.all = db.prepare('SELECT * FROM namespaces ORDER BY name');
  }

  get(name: string): NamespaceView | undefined {
    const row = this.one.get(name) as NamespaceRow | undefined;
    return row && toView(row);
  }

  /** The namespace, or NAMESPACE_NOT_FOUND. */
  require(name: string): NamespaceView {
    const view = this.get(name);
    if (!view) throw namespaceNotFound(name);
    return view;
  }

  list(): NamespaceView[] {
    return (this.all.all() as NamespaceRow[]).map(toView);
  }
}

const toView = (row: NamespaceRow): NamespaceView => ({
  name: row.name,
  entryCount: row.entry_count,
  bytes: row.bytes,
  revision: row.revision,
  defaultTtlSeconds: row.default_ttl_seconds,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});
