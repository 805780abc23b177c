import type { Database, Statement } from 'better-sqlite3';
import { decodingProjection, StoreProjection } from '../../events/store-projection';

export const rollbackPointsTypedProjection: StoreProjection = {
  name: 'rollback-points',
  tables: ['rollback_points'],
  schema: `
    CREATE TABLE IF NOT EXISTS rollback_points (
      namespace  TEXT    NOT NULL,
      id         TEXT    NOT NULL,
      stage      TEXT,
      label      TEXT,
      revision   INTEGER NOT NULL,
      created_at TEXT    NOT NULL,
      actor      TEXT    NOT NULL,
      PRIMARY KEY (namespace, id)
    ) STRICT;`,
  bind(db) {
    const insert = db.prepare(
      `INSERT INTO rollback_points (namespace, id, stage, label, revision, created_at, actor)
       VALUES (@namespace, @id, @stage, @label, @revision, @createdAt, @actor)`,
    );
    return (event) => {
      if (event.type !== 'StoreRollbackPointCreated') return;
      const { timestamp, actor } = event.metadata;
      insert.run({ ...event.data, createdAt: timestamp, actor });
    };
  },
};

export const rollbackPointsProjection = decodingProjection(rollbackPointsTypedProjection);

export interface RollbackPointView {
  namespace: string;
  id: string;
  stage: string | null;
  label: string | null;
  /** The namespace revision whose state the point names. */
  revision: number;
  createdAt: string;
  actor: string;
}

export class RollbackPointsReadModel {
  private readonly one: Statement;
  private readonly all: Statement;

  constructor(db: Database) {
    const columns = 'namespace, id, stage, label, revision, created_at AS createdAt, actor';
    this.one = db.prepare(`SELECT ${columns} FROM rollback_points WHERE namespace = ? AND id = ?`);
    this.all = db.prepare(`SELECT ${columns} FROM rollback_points WHERE namespace = ? ORDER BY revision, created_at, id`);
  }

  get(namespace: string, id: string): RollbackPointView | undefined {
    return this.one.get(namespace, id) as RollbackPointView | undefined;
  }

  list(namespace: string): RollbackPointView[] {
    return this.all.all(namespace) as RollbackPointView[];
  }
}
