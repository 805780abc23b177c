import type { Database, Statement } from 'better-sqlite3';
import { Projection, RecordedEvent } from '@app/event-store';
import { NamespaceEvent } from './namespace';
import { StoreEventMetadata } from '../shared/store-events';

const entryBytes = (key: string, valueBytes: number) => Buffer.byteLength(key) + valueBytes;

/**
 * Namespaces with their live entry count and bytes (key + value). It reads the entry's previous
 * size from the entries table, so it must run before the entries projection.
 */
export const namespacesProjection: Projection = {
  name: 'namespaces',
  tables: ['namespaces'],
  schema: `
    CREATE TABLE IF NOT EXISTS namespaces (
      name        TEXT    PRIMARY KEY,
      entry_count INTEGER NOT NULL,
      bytes       INTEGER NOT NULL,
      revision    INTEGER NOT NULL,
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
    const previousSize = db.prepare('SELECT length(value) AS size FROM entries WHERE namespace = ? AND key = ?');
    const sizeOf = (ns: string, key: string) => {
      const row = previousSize.get(ns, key) as { size: number } | undefined;
      return row ? entryBytes(key, row.size) : 0;
    };
    return (recorded: RecordedEvent) => {
      const event = recorded as unknown as NamespaceEvent;
      const at = (recorded.metadata as unknown as StoreEventMetadata).timestamp;
      const name = event.data.namespace;
      let count = 0;
      let bytes = 0;
      switch (event.type) {
        case 'StoreNamespaceCreated':
          create.run(name, recorded.revision, at, at);
          return;
        case 'StoreEntryCreated':
        case 'StoreEntryUpdated': {
          const size = entryBytes(event.data.key, valueSize(event.data));
          const before = sizeOf(name, event.data.key);
          count = before === 0 && event.type === 'StoreEntryCreated' ? 1 : 0;
          bytes = size - before;
          break;
        }
        case 'StoreEntryDeleted':
          count = -1;
          bytes = -sizeOf(name, event.data.key);
      }
      change.run(count, bytes, recorded.revision, at, name);
    };
  },
};

function valueSize(data: { value?: string; valueBase64?: string }): number {
  return data.valueBase64 !== undefined ? Buffer.from(data.valueBase64, 'base64').length : Buffer.byteLength(data.value!);
}

export interface NamespaceView {
  name: string;
  entryCount: number;
  bytes: number;
  revision: number;
  createdAt: string;
  updatedAt: string;
}

interface NamespaceRow {
  name: string;
  entry_count: number;
  bytes: number;
  revision: number;
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

  list(): NamespaceView[] {
    return (this.all.all() as NamespaceRow[]).map(toView);
  }
}

const toView = (row: NamespaceRow): NamespaceView => ({
  name: row.name,
  entryCount: row.entry_count,
  bytes: row.bytes,
  revision: row.revision,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});
