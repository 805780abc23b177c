import { NamespaceState } from './namespace';
import { namespaceDecider } from './given-when-then';
import { testEvents } from './test-events';
import { decideSnapshot } from './snapshot.decide';

const NS = 'app';
const { given } = namespaceDecider(NS);
const { nsCreated, created, deleted, expired } = testEvents(NS);
const atRevision = (revision: number) => (state: NamespaceState) => decideSnapshot('s1', { ...state, revision });

describe('decideSnapshot', () => {
  it('records the current revision, and the count and key+value bytes of the entries that are not deleted', () => {
    given(nsCreated, created('a'), created('b'), created('c', 'v', 1), deleted('b', 1))
      .when(atRevision(4))
      .then({ type: 'StoreSnapshotCreated', data: { namespace: NS, id: 's1', revision: 4, entryCount: 2, bytes: 4 } });
    given(nsCreated, created('a', 'v', 1), expired('a', 1))
      .when(atRevision(2))
      .then({ type: 'StoreSnapshotCreated', data: { namespace: NS, id: 's1', revision: 2, entryCount: 0, bytes: 0 } });
  });

  it('refuses a namespace that does not exist', () => {
    given().when((state) => decideSnapshot('s1', state)).thenFails('NAMESPACE_NOT_FOUND', { namespace: NS });
  });
});
