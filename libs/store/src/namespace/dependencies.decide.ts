import { DependencyAdded, DependencyRemoved } from './governance';
import { namespaceNotFound, NamespaceDeleted, NamespaceState, requireExists } from './namespace';
import { StoreError } from '../shared/errors';
import { validateNamespace } from '../shared/names';

/** The store-wide dependency graph: namespace -> the namespaces it depends on. */
export type DependencyGraph = ReadonlyMap<string, readonly string[]>;

/** A path from `from` to `to` along dependencies (both included), or undefined. */
export function pathBetween(graph: DependencyGraph, from: string, to: string): string[] | undefined {
  const cameFrom = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const at = queue.shift()!;
    if (at === to) {
      const path: string[] = [];
      for (let n: string | null = at; n !== null; n = cameFrom.get(n)!) path.unshift(n);
      return path;
    }
    for (const next of graph.get(at) ?? []) {
      if (!cameFrom.has(next)) {
        cameFrom.set(next, at);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/**
 * AddDependency: `state`'s namespace depends on `other`, which must exist; an edge that closes a
 * cycle is DEPENDENCY_CYCLE naming it (`[a, b, …, a]`). An edge already there writes nothing.
 */
export function decideAddDependency(state: NamespaceState, other: string, graph: DependencyGraph, otherExists: boolean): DependencyAdded[] {
  validateNamespace(other);
  requireExists(state);
  if (!otherExists) throw namespaceNotFound(other);
  if (state.dependsOn.includes(other)) return [];
  const back = pathBetween(graph, other, state.name);
  if (back) {
    const cycle = [state.name, ...back];
    throw new StoreError('DEPENDENCY_CYCLE', `${state.name} cannot depend on ${other}: that closes the cycle ${cycle.join(' -> ')}`, { cycle });
  }
  return [{ type: 'StoreDependencyAdded', data: { namespace: state.name, dependsOn: other } }];
}

export function decideRemoveDependency(state: NamespaceState, other: string): DependencyRemoved[] {
  validateNamespace(other);
  requireExists(state);
  if (!state.dependsOn.includes(other)) {
    throw new StoreError('DEPENDENCY_NOT_FOUND', `namespace ${state.name} does not depend on ${other}`, { dependsOn: other });
  }
  return [{ type: 'StoreDependencyRemoved', data: { namespace: state.name, dependsOn: other } }];
}

/**
 * The dependencies of `root`, transitively, in dependency order: every namespace after those it
 * depends on (depth first, siblings by name), `root` itself left out. A cycle (possible only between
 * replicas racing on a shared log) stops the walk where it closes.
 */
export function resolveDependencies(graph: DependencyGraph, root: string): string[] {
  const order: string[] = [];
  const seen = new Set<string>([root]);
  const visit = (node: string) => {
    for (const next of [...(graph.get(node) ?? [])].sort()) {
      if (seen.has(next)) continue;
      seen.add(next);
      visit(next);
      order.push(next);
    }
  };
  visit(root);
  return order;
}

/**
 * The events that make a namespace depend on exactly `declared` (the config file): edges not declared
 * removed first, then the declared ones added, each checked like AddDependency.
 */
export function decideDeclaredDependencies(
  state: NamespaceState, declared: readonly string[], graph: DependencyGraph, exists: (namespace: string) => boolean,
): (DependencyAdded | DependencyRemoved)[] {
  requireExists(state);
  const removed = state.dependsOn.filter((d) => !declared.includes(d))
    .map((dependsOn): DependencyRemoved => ({ type: 'StoreDependencyRemoved', data: { namespace: state.name, dependsOn } }));
  const edges = new Map(graph);
  let current: NamespaceState = { ...state, dependsOn: state.dependsOn.filter((d) => declared.includes(d)) };
  const added: DependencyAdded[] = [];
  for (const other of [...new Set(declared)].sort()) {
    edges.set(state.name, current.dependsOn);
    const events = decideAddDependency(current, other, edges, exists(other));
    added.push(...events);
    if (events.length > 0) current = { ...current, dependsOn: [...current.dependsOn, other].sort() };
  }
  return [...removed, ...added];
}

/** DeleteNamespace: NAMESPACE_IN_USE while others depend on it. */
export function decideDeleteNamespace(state: NamespaceState, dependents: readonly string[]): NamespaceDeleted[] {
  requireExists(state);
  const others = dependents.filter((d) => d !== state.name);
  if (others.length > 0) {
    throw new StoreError('NAMESPACE_IN_USE', `namespace ${state.name} cannot be deleted: ${others.join(', ')} depend on it`, { dependents: others });
  }
  return [{ type: 'StoreNamespaceDeleted', data: { namespace: state.name } }];
}
