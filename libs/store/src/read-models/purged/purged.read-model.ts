import type { Database, Statement } from 'better-sqlite3';
import { decodingProjection, StoreProjection } from '../../events/store-projection';
import { PurgedKeys } from '../../events/forget';

/**
 * Per key, the namespace revision of its latest purge. The log is append-only, so a purged value
 * stays in the events before the purge: every read surface (feed, history, time travel, snapshots,
 * rollback points, backups) asks this model and forgets the value of any event before that revision.
 */
export const purgedTypedProjection: StoreProjection = {
  name: 'purged-entries',
  tables: ['purged_entries'],
  schema: `
    CREATE TABLE IF NOT EXISTS purged_entries (
      namespace TEXT    NOT NULL,
      key       TEXT    NOT NULL,
      revision  INTEGER NOT NULL,
      PRIMARY KEY (namespace, key)
    ) STRICT, WITHOUT ROWID;`,
  bind(db) {
    const purged = db.prepare(
      `INSERT INTO purged_entries (namespace, key, revision) VALUES (?, ?, ?)
       ON CONFLICT (namespace, key) DO UPDATE SET revision = max(revision, excluded.revision)`,
    );
    return (event) => {
      if (event.type === 'StoreEntryPurged') purged.run(event.data.namespace, event.data.key, event.revision);
    };
  },
};

export const purgedProjection = decodingProjection(purgedTypedProjection);

export class PurgedReadModel implements PurgedKeys {
  private readonly latest: Statement;

  constructor(db: Database) {
    this.latest = db.prepare('SELECT revision FROM purged_entries WHERE namespace = ? AND key = ?').pluck();
  }

  purgedAfter(namespace: string, key: string, revision: number): boolean {
    const purgedAt = this.latest.get(namespace, key) as number | undefined;
    return purgedAt !== undefined && purgedAt > revision;
  }
}
