import type { Database, Statement } from 'better-sqlite3';
import { isEntryEvent } from '../../namespace/entry';
import { decodingProjection, StoreProjection } from '../../events/store-projection';

/** Per key, the revisions of the namespace stream that changed it: an index into the log, which holds the rest. */
export const historyTypedProjection: StoreProjection = {
  name: 'entry-history',
  tables: ['entry_history'],
  schema: `
    CREATE TABLE IF NOT EXISTS entry_history (
      namespace TEXT    NOT NULL,
      key       TEXT    NOT NULL,
      revision  INTEGER NOT NULL,
      PRIMARY KEY (namespace, key, revision)
    ) STRICT, WITHOUT ROWID;`,
  bind(db) {
    const insert = db.prepare('INSERT INTO entry_history (namespace, key, revision) VALUES (?, ?, ?)');
    return (event) => {
      if (!isEntryEvent(event)) return;
      insert.run(event.data.namespace, event.data.key, event.revision);
    };
  },
};

export const historyProjection = decodingProjection(historyTypedProjection);

export class HistoryReadModel {
  private readonly between: Statement;

  constructor(db: Database) {
    this.between = db.prepare(
      `SELECT revision FROM entry_history WHERE namespace = ? AND key = ? AND revision > ? AND revision <= ?
       ORDER BY revision LIMIT ?`,
    );
  }

  /** Revisions of the key's events after `after` (exclusive) up to `upTo` (inclusive), oldest first. */
  revisions(namespace: string, key: string, after: number, upTo = Number.MAX_SAFE_INTEGER, limit = -1): number[] {
    return (this.between.all(namespace, key, after, upTo, limit) as { revision: number }[]).map((r) => r.revision);
  }
}
