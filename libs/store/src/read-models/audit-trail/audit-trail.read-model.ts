import { formatPosition } from '@app/event-store';
import type { Database, Statement } from 'better-sqlite3';
import { decodingProjection, StoreProjection } from '../../events/store-projection';
import { isNamespaceEvent } from '../../events/store-event';

/** One event of a namespace's stream as the audit trail shows it: who did what, when, and why (never a value). */
export interface AuditTrailItem {
  position: string;
  revision: number;
  type: string;
  key: string | null;
  actor: string;
  correlationId: string;
  causationId: string;
  timestamp: string;
}

export interface AuditTrailFilter {
  readonly actor?: string;
  readonly type?: string;
  /** Inclusive lower bound of the event's timestamp (ISO 8601, UTC). */
  readonly from?: string;
  /** Exclusive upper bound of the event's timestamp. */
  readonly to?: string;
}

/** Every event of every namespace stream, by namespace and revision: the who and when, read from the log. */
export const auditTrailTypedProjection: StoreProjection = {
  name: 'audit-trail',
  tables: ['audit_trail'],
  schema: `
    CREATE TABLE IF NOT EXISTS audit_trail (
      namespace      TEXT    NOT NULL,
      revision       INTEGER NOT NULL,
      position       TEXT    NOT NULL,
      type           TEXT    NOT NULL,
      key            TEXT,
      actor          TEXT    NOT NULL,
      correlation_id TEXT    NOT NULL,
      causation_id   TEXT    NOT NULL,
      timestamp      TEXT    NOT NULL,
      PRIMARY KEY (namespace, revision)
    ) STRICT, WITHOUT ROWID;`,
  bind(db) {
    const insert = db.prepare(
      `INSERT INTO audit_trail (namespace, revision, position, type, key, actor, correlation_id, causation_id, timestamp)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    return (event) => {
      if (!isNamespaceEvent(event)) return;
      const data = event.data as { namespace: string; key?: unknown };
      insert.run(
        data.namespace, event.revision, formatPosition(event.position), event.type, typeof data.key === 'string' ? data.key : null,
        event.metadata.actor, event.metadata.correlationId, event.metadata.causationId, event.metadata.timestamp,
      );
    };
  },
};

export const auditTrailProjection = decodingProjection(auditTrailTypedProjection);

interface Row {
  namespace: string;
  revision: number;
  position: string;
  type: string;
  key: string | null;
  actor: string;
  correlation_id: string;
  causation_id: string;
  timestamp: string;
}

export class AuditTrailReadModel {
  private readonly select: Statement;

  constructor(db: Database) {
    // A NULL filter matches every row; timestamps are ISO 8601 UTC strings, which sort as times.
    this.select = db.prepare(
      `SELECT * FROM audit_trail
        WHERE namespace = @namespace AND revision > @after
          AND (@actor IS NULL OR actor = @actor) AND (@type IS NULL OR type = @type)
          AND (@from IS NULL OR timestamp >= @from) AND (@to IS NULL OR timestamp < @to)
        ORDER BY revision LIMIT @limit`,
    );
  }

  /** Events of the namespace after revision `after` (exclusive) that pass the filter, oldest first. */
  page(namespace: string, filter: AuditTrailFilter, after: number, limit: number): AuditTrailItem[] {
    const rows = this.select.all({
      namespace, after, limit,
      actor: filter.actor ?? null, type: filter.type ?? null, from: filter.from ?? null, to: filter.to ?? null,
    }) as Row[];
    return rows.map((r) => ({
      position: r.position,
      revision: r.revision,
      type: r.type,
      key: r.key,
      actor: r.actor,
      correlationId: r.correlation_id,
      causationId: r.causation_id,
      timestamp: r.timestamp,
    }));
  }
}
