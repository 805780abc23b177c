import fc from 'fast-check';
import { decideAddDependency, decideDeleteNamespace, decideRemoveDependency, DependencyGraph, resolveDependencies } from './dependencies.decide';
import { decideWrites, EntryOp } from './entry.decide';
import { QuotaSet } from './governance';
import { namespaceDecider } from './given-when-then';
import { NamespaceDeleted } from './namespace';
import { decideCreateNamespace } from './namespace.decide';
import { decideSetQuota } from './quota.decide';
import { decideRestore } from './soft-delete.decide';
import { decideRemoveTag, decideSetTag } from './tags.decide';
import { testEvents } from './test-events';
import { DEFAULT_LIMITS } from '../shared/limits';

const NS = 'app';
const { given } = namespaceDecider(NS);
const { nsCreated, created, updated, deleted } = testEvents(NS);
const quota = (maxEntries: number | null, maxBytes: number | null): QuotaSet => ({ type: 'StoreQuotaSet', data: { namespace: NS, maxEntries, maxBytes } });
const nsDeleted: NamespaceDeleted = { type: 'StoreNamespaceDeleted', data: { namespace: NS } };
const rules = { now: new Date(1000), limits: DEFAULT_LIMITS };
const put = (key: string, value = 'v'): EntryOp => ({ op: 'put', key, value: Buffer.from(value) });
const writes = (...ops: EntryOp[]) => (state: Parameters<typeof decideWrites>[1]) => decideWrites(ops, state, rules);

describe('quotas', () => {
  it('StoreQuotaSet sets both limits; a field left out keeps its limit, null clears it', () => {
    given(nsCreated).when((s) => decideSetQuota(s, { maxEntries: 2 })).then(quota(2, null));
    given(nsCreated, quota(2, 10)).when((s) => decideSetQuota(s, { maxBytes: null })).then(quota(2, null));
    given(nsCreated, quota(2, 10)).when((s) => decideSetQuota(s, { maxEntries: 2, maxBytes: 10 })).then();
  });

  it('refuses bad limits and missing namespaces', () => {
    given(nsCreated).when((s) => decideSetQuota(s, { maxEntries: -1 })).thenFails('VALIDATION_FAILED', { field: 'maxEntries' });
    given(nsCreated).when((s) => decideSetQuota(s, { maxBytes: 1.5 })).thenFails('VALIDATION_FAILED', { field: 'maxBytes' });
    given().when((s) => decideSetQuota(s, { maxEntries: 1 })).thenFails('NAMESPACE_NOT_FOUND');
  });

  it('counts used entries and key+value bytes through updates, deletes and a namespace delete', () => {
    const { state } = given(nsCreated, created('a', 'xyz'), created('bb'), updated('a', 2, 'x'), deleted('bb', 1));
    expect([state.entryCount, state.bytes]).toEqual([1, 2]);
    expect(given(nsCreated, created('a'), nsDeleted).state).toMatchObject({ exists: false, entryCount: 0, bytes: 0, entries: new Map() });
  });

  it('refuses a put past maxEntries naming the limit, used and requested; updates still pass', () => {
    given(nsCreated, quota(1, null), created('a')).when(writes(put('b')))
      .thenFails('QUOTA_EXCEEDED', { namespace: NS, limit: 'maxEntries', max: 1, used: 1, requested: 1 });
    given(nsCreated, quota(1, null), created('a')).when(writes(put('a', 'w'))).then(updated('a', 2, 'w'));
  });

  it('refuses a transaction past maxBytes as a whole', () => {
    given(nsCreated, quota(null, 5)).when(writes(put('a', 'vv'), put('b', 'vv')))
      .thenFails('QUOTA_EXCEEDED', { namespace: NS, limit: 'maxBytes', max: 5, used: 0, requested: 6 });
  });

  it('refuses a restore past a limit', () => {
    given(nsCreated, created('a'), deleted('a', 1), quota(null, 4), created('b', 'vv'))
      .when((s) => decideRestore({ key: 'a' }, s, rules)).thenFails('QUOTA_EXCEEDED', { namespace: NS, limit: 'maxBytes', max: 4, used: 3, requested: 2 });
  });

  it('lets a namespace over a lowered limit shrink', () => {
    given(nsCreated, created('a', 'long value'), quota(null, 1)).when(writes(put('a', 's'))).then(updated('a', 2, 's'));
  });
});

describe('tags', () => {
  const tagSet = (tag: string, color: string) => ({ type: 'StoreTagSet' as const, data: { namespace: NS, tag, color } });
  it('sets a tag with its colour (lower-cased), once', () => {
    given(nsCreated).when((s) => decideSetTag(s, 'team-a', '#00FF88')).then(tagSet('team-a', '#00ff88'));
    given(nsCreated, tagSet('team-a', '#00ff88')).when((s) => decideSetTag(s, 'team-a', '#00ff88')).then();
    expect(given(nsCreated, tagSet('a', '#000000'), tagSet('b', '#111111')).state.tags).toEqual({ a: '#000000', b: '#111111' });
  });

  it('refuses bad colours, bad names, unknown tags and missing namespaces', () => {
    given(nsCreated).when((s) => decideSetTag(s, 'a', 'red')).thenFails('VALIDATION_FAILED', { field: 'color' });
    given(nsCreated).when((s) => decideSetTag(s, 'A B', '#000000')).thenFails('VALIDATION_FAILED');
    given(nsCreated).when((s) => decideRemoveTag(s, 'a')).thenFails('TAG_NOT_FOUND', { tag: 'a' });
    given().when((s) => decideSetTag(s, 'a', '#000000')).thenFails('NAMESPACE_NOT_FOUND');
  });

  it('removes a tag', () => {
    given(nsCreated, tagSet('a', '#000000')).when((s) => decideRemoveTag(s, 'a'))
      .then({ type: 'StoreTagRemoved', data: { namespace: NS, tag: 'a' } });
  });
});

describe('namespace delete', () => {
  it('deletes an existing namespace; its name starts a new life', () => {
    given(nsCreated, created('a')).when((s) => decideDeleteNamespace(s, [])).then(nsDeleted);
    given(nsCreated, created('a'), nsDeleted).when(decideCreateNamespace).then(nsCreated);
    given(nsCreated, created('a'), nsDeleted).when(writes(put('a'))).then(nsCreated, created('a'));
  });

  it('refuses while another namespace depends on it, and a namespace that does not exist', () => {
    given(nsCreated).when((s) => decideDeleteNamespace(s, ['billing'])).thenFails('NAMESPACE_IN_USE', { dependents: ['billing'] });
    given(nsCreated, nsDeleted).when((s) => decideDeleteNamespace(s, [])).thenFails('NAMESPACE_NOT_FOUND');
  });
});

describe('dependencies', () => {
  const added = (dependsOn: string) => ({ type: 'StoreDependencyAdded' as const, data: { namespace: NS, dependsOn } });
  it('adds a dependency on an existing namespace, once; removes it', () => {
    given(nsCreated).when((s) => decideAddDependency(s, 'users', new Map(), true)).then(added('users'));
    given(nsCreated, added('users')).when((s) => decideAddDependency(s, 'users', new Map([[NS, ['users']]]), true)).then();
    given(nsCreated, added('users')).when((s) => decideRemoveDependency(s, 'users'))
      .then({ type: 'StoreDependencyRemoved', data: { namespace: NS, dependsOn: 'users' } });
  });

  it('refuses a missing other, a bad name, an unknown edge, and a cycle naming it', () => {
    given(nsCreated).when((s) => decideAddDependency(s, 'users', new Map(), false)).thenFails('NAMESPACE_NOT_FOUND');
    given(nsCreated).when((s) => decideAddDependency(s, 'Bad!', new Map(), true)).thenFails('NAMESPACE_INVALID');
    given(nsCreated).when((s) => decideRemoveDependency(s, 'users')).thenFails('DEPENDENCY_NOT_FOUND');
    const graph = new Map([['users', ['auth']], ['auth', [NS]]]);
    given(nsCreated).when((s) => decideAddDependency(s, 'users', graph, true)).thenFails('DEPENDENCY_CYCLE', { cycle: [NS, 'users', 'auth', NS] });
    given(nsCreated).when((s) => decideAddDependency(s, NS, new Map(), true)).thenFails('DEPENDENCY_CYCLE', { cycle: [NS, NS] });
  });

  it('resolves dependencies first', () => {
    const graph = new Map([['billing', ['users', 'audit']], ['users', ['auth']], ['audit', ['auth']]]);
    expect(resolveDependencies(graph, 'billing')).toEqual(['auth', 'audit', 'users']);
  });

  /** Reference: a graph has a cycle iff repeatedly removing nodes without outgoing edges leaves some (Kahn). */
  const hasCycle = (nodes: string[], edges: [string, string][]) => {
    let left = [...edges];
    let alive = new Set(nodes);
    for (;;) {
      const sinks = [...alive].filter((n) => !left.some(([from]) => from === n));
      if (sinks.length === 0) return alive.size > 0;
      alive = new Set([...alive].filter((n) => !sinks.includes(n)));
      left = left.filter(([, to]) => alive.has(to));
    }
  };

  it('accepts exactly the edges that keep random graphs acyclic, and resolves them in dependency order', () => {
    const nodes = ['n0', 'n1', 'n2', 'n3', 'n4', 'n5'];
    const edge = fc.tuple(fc.constantFrom(...nodes), fc.constantFrom(...nodes));
    fc.assert(fc.property(fc.array(edge, { maxLength: 20 }), (edges) => {
      const accepted: [string, string][] = [];
      const graph = (): DependencyGraph => {
        const g = new Map<string, string[]>();
        for (const [from, to] of accepted) g.set(from, [...(g.get(from) ?? []), to]);
        return g;
      };
      for (const [from, to] of edges) {
        const state = namespaceDecider(from).given({ type: 'StoreNamespaceCreated', data: { namespace: from } },
          ...accepted.filter(([f]) => f === from).map(([, d]) => ({ type: 'StoreDependencyAdded' as const, data: { namespace: from, dependsOn: d } }))).state;
        const duplicate = accepted.some(([f, t]) => f === from && t === to);
        const cyclic = hasCycle(nodes, [...accepted, [from, to]]);
        let refused: string | undefined;
        try {
          const events = decideAddDependency(state, to, graph(), true);
          if (events.length > 0) accepted.push([from, to]);
        } catch (error) {
          refused = (error as { code: string; details: { cycle: string[] } }).code;
          const cycle = (error as { details: { cycle: string[] } }).details.cycle;
          // The cycle named is real: each step an accepted edge or the new one, from `from` back to `from`.
          expect(cycle[0]).toBe(from);
          expect(cycle.at(-1)).toBe(from);
          for (let i = 0; i + 1 < cycle.length; i++) {
            const step: [string, string] = [cycle[i], cycle[i + 1]];
            expect(i === 0 ? step[1] === to : accepted.some(([f, t]) => f === step[0] && t === step[1])).toBe(true);
          }
        }
        expect(refused).toBe(!duplicate && cyclic ? 'DEPENDENCY_CYCLE' : undefined);
      }
      for (const root of nodes) {
        const order = resolveDependencies(graph(), root);
        for (const [from, to] of accepted) {
          if (order.includes(from)) expect(order.indexOf(to)).toBeLessThan(order.indexOf(from));
          if (from === root || order.includes(from)) expect(order).toContain(to);
        }
      }
    }), { numRuns: 300 });
  });
});
