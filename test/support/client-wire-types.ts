/**
 * The client declares the wire format on its own (it depends on nothing of the service); this
 * file, type-checked by `npm test`, fails when the service's answers and the client's types part.
 */
import type * as Client from '@app/client';
import type * as Store from '@app/store';
import type { Problem } from '../../apps/store-service/src/http/problem';

/** Each assignable to the other: the same fields, of the same types. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Within<A, B> = [A] extends [B] ? true : false;

export const wireTypesAgree: true[] = [
  true as Same<Store.EntryView, Client.Entry>,
  true as Same<Store.ListedEntryView, Client.ListedEntry>,
  true as Same<Store.EntryWriteResult, Client.EntryWriteResult>,
  true as Same<Store.KeyWriteResult, Client.KeyWriteResult>,
  true as Same<Store.DeleteResult, Client.PurgeResult>,
  true as Same<Store.EntryPage, Client.EntryPage>,
  true as Same<Store.TransactionResult, Client.TransactionResult>,
  true as Same<Store.NamespaceView, Client.Namespace>,
  true as Same<Store.CreateNamespaceResult, Client.CreateNamespaceResult>,
  true as Same<Store.DependenciesView, Client.Dependencies>,
  true as Same<Store.QuotaView, Client.Quota>,
  true as Same<Store.HistoryItem, Client.HistoryItem>,
  true as Same<Store.RollbackPointView, Client.RollbackPoint>,
  true as Same<Store.RollbackResult, Client.RollbackResult>,
  true as Same<Store.SnapshotView, Client.Snapshot>,
  true as Same<Store.ReloadResult, Client.ReloadResult>,
  true as Same<Store.ConsumerView, Client.Consumer>,
  true as Same<Store.ReplicaStatus, Client.Replica>,
  true as Same<Store.RestoreResult, Client.RestoreResult>,
  true as Same<Store.RebuildResult, Client.RebuildResult>,
  true as Same<Store.SchemaView, Client.ValueSchemaInfo>,
  true as Same<Store.SetSchemaResult, Client.SetSchemaResult>,
  true as Same<Store.SchemaMigratedData, Client.Migration>,
  true as Within<Store.FeedEvent, Client.FeedEvent>,
  true as Within<Store.EntryEvent['type'], Client.EntryEventType>,
  true as Within<Problem, Client.Problem>,
  true as Same<Problem['code'], Client.ProblemCode>,
];
