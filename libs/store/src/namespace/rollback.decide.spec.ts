import { NamespaceState } from './namespace';
import { namespaceDecider } from './given-when-then';
import { testEvents } from './test-events';
import { RollbackPointCreated } from './rollback';
import { decideRollback, decideRollbackPoint, POINT_TEXT_LIMITS, RollbackTarget, TargetEntry } from './rollback.decide';

const NS = 'app';
const now = new Date('2030-01-01T00:00:00.000Z');
const NOW = now.getTime();
const { given } = namespaceDecider(NS);
const { nsCreated, created, updated, deleted, expired } = testEvents(NS);
const REVISION = 9;
const withRevision = (state: NamespaceState) => ({ ...state, revision: REVISION });

const point = (id: string, stage: string | null, label: string | null, revision = REVISION): RollbackPointCreated => ({
  type: 'StoreRollbackPointCreated', data: { namespace: NS, id, stage, label, revision },
});

describe('decideRollbackPoint', () => {
  const create = (stage?: string, label?: string) => (state: NamespaceState) => decideRollbackPoint({ id: 'p1', stage, label }, withRevision(state));

  it('names the current revision, with optional stage and label', () => {
    given(nsCreated).when(create('pre-deploy', 'before v2')).then(point('p1', 'pre-deploy', 'before v2'));
    given(nsCreated).when(create()).then(point('p1', null, null));
  });

  it.each([
    ['an empty stage', '', undefined],
    ['a stage over the limit', 's'.repeat(POINT_TEXT_LIMITS.stage + 1), undefined],
    ['an empty label', undefined, ''],
    ['a label over the limit', undefined, 'l'.repeat(POINT_TEXT_LIMITS.label + 1)],
  ])('refuses %s', (_, stage, label) => {
    given(nsCreated).when(create(stage, label)).thenFails('VALIDATION_FAILED');
  });

  it('refuses a namespace that does not exist', () => {
    given().when((state) => decideRollbackPoint({ id: 'p1' }, state)).thenFails('NAMESPACE_NOT_FOUND');
  });
});

describe('decideRollback', () => {
  const target = (entries: Record<string, TargetEntry>): RollbackTarget => ({
    pointId: 'p1', toRevision: 3, undoPointId: 'u1', entries: new Map(Object.entries(entries)),
  });
  const text = (value: string, expiresAt: number | null = null, metadata = {}): TargetEntry => ({ content: { value, metadata }, expiresAt });
  const rollBack = (t: RollbackTarget) => (state: NamespaceState) => decideRollback(t, withRevision(state), now);
  const undo = point('u1', null, 'before rollback to p1');
  const rolledBack = (restored: string[], changed: string[], removed: string[]) => ({
    type: 'StoreRolledBack' as const,
    data: { namespace: NS, pointId: 'p1', toRevision: 3, undoPointId: 'u1', diff: { restored, changed, removed } },
  });

  it('restores, changes and removes keys in key order, between the undo point and StoreRolledBack', () => {
    given(nsCreated, created('same'), created('chg', 'new'), created('gone'), created('del', 'x'), deleted('del', 1))
      .when(rollBack(target({ same: text('v'), chg: text('old', null, { m: '1' }), del: text('x'), back: text('b') })))
      .then(
        undo,
        created('back', 'b'),
        updated('chg', 2, 'old', null, { m: '1' }),
        created('del', 'x'),
        { type: 'StoreEntryDeleted', data: { namespace: NS, key: 'gone', version: 1 } },
        rolledBack(['back', 'del'], ['chg'], ['gone']),
      );
  });

  it('changes an entry whose expiry alone differs', () => {
    given(nsCreated, created('a'))
      .when(rollBack(target({ a: text('v', NOW + 10) })))
      .then(undo, updated('a', 2, 'v', NOW + 10), rolledBack([], ['a'], []));
  });

  it('records an expiry that is due before creating the key again', () => {
    given(nsCreated, created('a', 'v', NOW))
      .when(rollBack(target({ a: text('v') })))
      .then(undo, expired('a', 1), created('a'), rolledBack(['a'], [], []));
  });

  it('does not bring back an entry of the point whose expiry has passed since', () => {
    given(nsCreated).when(rollBack(target({ a: text('v', NOW) }))).then(undo, rolledBack([], [], []));
  });

  it('leaves alone what is already equal: only the undo point and the record of the rollback', () => {
    given(nsCreated, created('a'), created('b', 'v', NOW - 1))
      .when(rollBack(target({ a: text('v') })))
      .then(undo, rolledBack([], [], []));
  });

  it('refuses a namespace that does not exist', () => {
    given().when((state) => decideRollback(target({}), state, now)).thenFails('NAMESPACE_NOT_FOUND');
  });
});
