import { EventStore } from '@app/event-store';
import type { Database } from 'better-sqlite3';
import { idempotencyLogProjection } from '../read-models/idempotency/idempotency-log';
import { DecisionStateSource } from '../write-path/decision-states';
import { consumersProjection, ConsumersReadModel } from '../read-models/consumers/consumers.read-model';
import { entriesProjection, EntriesReadModel } from '../read-models/entries/entries.read-model';
import { historyProjection, HistoryReadModel } from '../read-models/history/history.read-model';
import { auditTrailProjection, AuditTrailReadModel } from '../read-models/audit-trail/audit-trail.read-model';
import { TimeTravel } from '../read-models/time-travel/time-travel';
import { namespacesProjection, NamespacesReadModel } from '../read-models/namespaces/namespaces.read-model';
import { rollbackPointsProjection, RollbackPointsReadModel } from '../read-models/rollback-points/rollback-points.read-model';
import { locksProjection, LocksReadModel } from '../read-models/locks/locks.read-model';
import { snapshotsProjection, SnapshotsReadModel } from '../read-models/snapshots/snapshots.read-model';
import { purgedProjection, PurgedReadModel } from '../read-models/purged/purged.read-model';

/** Every read model of the store, in projection order: namespaces reads an entry's previous size before entries overwrites it. */
export const STORE_PROJECTIONS = [
  namespacesProjection, historyProjection, rollbackPointsProjection, snapshotsProjection, entriesProjection, consumersProjection,
  idempotencyLogProjection, locksProjection, auditTrailProjection, purgedProjection,
];

export interface ReadModels {
  readonly entries: EntriesReadModel;
  readonly namespaces: NamespacesReadModel;
  readonly consumers: ConsumersReadModel;
  readonly history: HistoryReadModel;
  readonly auditTrail: AuditTrailReadModel;
  readonly rollbackPoints: RollbackPointsReadModel;
  readonly snapshots: SnapshotsReadModel;
  readonly timeTravel: TimeTravel;
  readonly locks: LocksReadModel;
  readonly purged: PurgedReadModel;
}

/** The queries over the read models in `db`; time travel replays from `log`. */
export function openReadModels(db: Database, log: EventStore): ReadModels {
  const history = new HistoryReadModel(db);
  const snapshots = new SnapshotsReadModel(db);
  const purged = new PurgedReadModel(db);
  return {
    entries: new EntriesReadModel(db),
    namespaces: new NamespacesReadModel(db),
    consumers: new ConsumersReadModel(db),
    history,
    auditTrail: new AuditTrailReadModel(db),
    rollbackPoints: new RollbackPointsReadModel(db),
    snapshots,
    locks: new LocksReadModel(db),
    timeTravel: new TimeTravel(log, snapshots, history, purged),
    purged,
  };
}

/** Decision state from the read models, for the keys and namespaces the write path has not cached. */
export const readModelStateSource = ({ namespaces, entries }: ReadModels): DecisionStateSource => ({
  namespace: (name) => namespaces.head(name),
  entry: (namespace, key, withContent) => entries.entryState(namespace, key, withContent),
  allEntries: (namespace) => entries.allEntryStates(namespace),
});
