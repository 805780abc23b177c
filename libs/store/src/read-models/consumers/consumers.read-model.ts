import type { Database, Statement } from 'better-sqlite3';
import { decodingProjection, StoreProjection } from '../../events/store-projection';

export const consumersTypedProjection: StoreProjection = {
  name: 'consumers',
  tables: ['consumers'],
  schema: `
    CREATE TABLE IF NOT EXISTS consumers (
      name            TEXT PRIMARY KEY,
      position        TEXT NOT NULL,
      checkpointed_at TEXT NOT NULL,
      checkpoints     INTEGER NOT NULL
    ) STRICT;`,
  bind(db) {
    const save = db.prepare(
      `INSERT INTO consumers (name, position, checkpointed_at, checkpoints) VALUES (?, ?, ?, 1)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, checkpointed_at = excluded.checkpointed_at,
         checkpoints = checkpoints + 1`,
    );
    return (event) => {
      if (event.type !== 'StoreConsumerCheckpointed') return;
      save.run(event.data.consumer, event.data.position, event.metadata.timestamp);
    };
  },
};

export const consumersProjection = decodingProjection(consumersTypedProjection);

export interface ConsumerView {
  name: string;
  position: string;
  checkpointedAt: string;
  checkpoints: number;
}

export class ConsumersReadModel {
  private readonly one: Statement;
  private readonly all: Statement;

  constructor(db: Database) {
    this.one = db.prepare('SELECT name, position, checkpointed_at AS checkpointedAt, checkpoints FROM consumers WHERE name = ?');
    this.all = db.prepare('SELECT name, position, checkpointed_at AS checkpointedAt, checkpoints FROM consumers ORDER BY name');
  }

  get(name: string): ConsumerView | undefined {
    return this.one.get(name) as ConsumerView | undefined;
  }

  list(): ConsumerView[] {
    return this.all.all() as ConsumerView[];
  }
}
