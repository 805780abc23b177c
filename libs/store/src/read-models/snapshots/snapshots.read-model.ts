import type { Database, Statement } from 'better-sqlite3';
import { decodingProjection, StoreProjection } from '../../events/store-projection';
import { ENTRY_COLUMNS, ENTRY_COLUMNS_DDL, EntryRow, toRecord } from '../entries/entries.read-model';
import { EntryRecord } from '../entries/entry-record';

/**
 * Snapshots and their content: on StoreSnapshotCreated the namespace's rows of the entries read
 * model (deleted ones included) are copied as they stand, which is the state at the snapshot's
 * revision since events are projected in order. A cache derived from the log: a rebuild makes it again.
 */
export const snapshotsTypedProjection: StoreProjection = {
  name: 'snapshots',
  tables: ['snapshots', 'snapshot_entries'],
  schema: `
    CREATE TABLE IF NOT EXISTS snapshots (
      namespace   TEXT    NOT NULL,
      id          TEXT    NOT NULL,
      revision    INTEGER NOT NULL,
      entry_count INTEGER NOT NULL,
      bytes       INTEGER,
      created_at  TEXT    NOT NULL,
      actor       TEXT    NOT NULL,
      PRIMARY KEY (namespace, id)
    ) STRICT;
    CREATE INDEX IF NOT EXISTS snapshots_by_revision ON snapshots (namespace, revision);
    CREATE TABLE IF NOT EXISTS snapshot_entries (
      namespace    TEXT    NOT NULL,
      snapshot_id  TEXT    NOT NULL,
      ${ENTRY_COLUMNS_DDL},
      PRIMARY KEY (namespace, snapshot_id, key)
    ) STRICT;`,
  bind(db) {
    const insert = db.prepare(
      `INSERT INTO snapshots (namespace, id, revision, entry_count, bytes, created_at, actor)
       VALUES (@namespace, @id, @revision, @entryCount, @bytes, @createdAt, @actor)`,
    );
    const copy = db.prepare(
      `INSERT INTO snapshot_entries (namespace, snapshot_id, ${ENTRY_COLUMNS})
       SELECT namespace, @id, ${ENTRY_COLUMNS} FROM entries WHERE namespace = @namespace`,
    );
    // A purge forgets the key's value in every snapshot taken before it too.
    const forget = db.prepare('DELETE FROM snapshot_entries WHERE namespace = ? AND key = ?');
    return (event) => {
      if (event.type === 'StoreEntryPurged') forget.run(event.data.namespace, event.data.key);
      if (event.type !== 'StoreSnapshotCreated') return;
      const { timestamp, actor } = event.metadata;
      insert.run({ ...event.data, createdAt: timestamp, actor });
      copy.run({ namespace: event.data.namespace, id: event.data.id });
    };
  },
};

export const snapshotsProjection = decodingProjection(snapshotsTypedProjection);

export interface SnapshotView {
  namespace: string;
  id: string;
  /** The namespace revision captured. */
  revision: number;
  entryCount: number;
  /** Key and value bytes of the live entries captured; null for snapshots taken before sizes were recorded. */
  bytes: number | null;
  createdAt: string;
  actor: string;
}

export class SnapshotsReadModel {
  private readonly one: Statement;
  private readonly all: Statement;
  private readonly nearestAt: Statement;
  private readonly rows: Statement;
  private readonly row: Statement;

  constructor(db: Database) {
    const columns = 'namespace, id, revision, entry_count AS entryCount, bytes, created_at AS createdAt, actor';
    this.one = db.prepare(`SELECT ${columns} FROM snapshots WHERE namespace = ? AND id = ?`);
    this.all = db.prepare(`SELECT ${columns} FROM snapshots WHERE namespace = ? ORDER BY revision, created_at, id`);
    this.nearestAt = db.prepare(`SELECT ${columns} FROM snapshots WHERE namespace = ? AND revision <= ? ORDER BY revision DESC LIMIT 1`);
    this.rows = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM snapshot_entries WHERE namespace = ? AND snapshot_id = ?`);
    this.row = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM snapshot_entries WHERE namespace = ? AND snapshot_id = ? AND key = ?`);
  }

  get(namespace: string, id: string): SnapshotView | undefined {
    return this.one.get(namespace, id) as SnapshotView | undefined;
  }

  list(namespace: string): SnapshotView[] {
    return this.all.all(namespace) as SnapshotView[];
  }

  /** The latest snapshot at or below a revision. */
  nearest(namespace: string, revision: number): SnapshotView | undefined {
    return this.nearestAt.get(namespace, revision) as SnapshotView | undefined;
  }

  records(namespace: string, id: string): Map<string, EntryRecord> {
    return new Map((this.rows.all(namespace, id) as EntryRow[]).map((row) => [row.key, toRecord(row)]));
  }

  record(namespace: string, id: string, key: string): EntryRecord | undefined {
    const row = this.row.get(namespace, id, key) as EntryRow | undefined;
    return row && toRecord(row);
  }
}
