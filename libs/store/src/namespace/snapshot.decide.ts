import { NamespaceState, requireNamespace } from './namespace';
import { SnapshotCreated } from './snapshot';

/** TakeSnapshot: records a snapshot of the namespace at its current revision. */
export function decideSnapshot(id: string, state: NamespaceState): SnapshotCreated[] {
  const revision = requireNamespace(state);
  return [{ type: 'StoreSnapshotCreated', data: { namespace: state.name, id, revision, entryCount: state.entryCount, bytes: state.bytes } }];
}
