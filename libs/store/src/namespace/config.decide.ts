import { Quota } from './governance';
import { NamespaceEvent, NamespaceState } from './namespace';
import { decideDeclaredQuota } from './quota.decide';
import { decideDeclaredTags } from './tags.decide';
import { Access } from './access';
import { decideDeclaredGrants } from './grants.decide';

/**
 * What the config file declares of a namespace. `quota`, `tags`, `grants` and `dependencies`, when declared,
 * are exactly what the namespace gets; left out, the namespace keeps what the API gave it.
 */
export interface NamespaceSettings {
  readonly defaultTtlSeconds: number | null;
  readonly quota?: Quota;
  readonly tags?: Readonly<Record<string, string>>;
  /** Subject (`user:<name>`, `role:<name>`) -> access. */
  readonly grants?: Readonly<Record<string, Access>>;
  /** Applied after every declared namespace exists (decideDeclaredDependencies). */
  readonly dependencies?: readonly string[];
}

/**
 * Brings one namespace to its declared settings: created if missing, configured if different.
 * `undefined` settings mean the file no longer declares it: its data stays, its settings clear.
 */
export function decideNamespaceConfig(state: NamespaceState, declared: NamespaceSettings | undefined): NamespaceEvent[] {
  const events: NamespaceEvent[] = [];
  if (declared && !state.exists) events.push({ type: 'StoreNamespaceCreated', data: { namespace: state.name } });
  const defaultTtlSeconds = declared?.defaultTtlSeconds ?? null;
  if (defaultTtlSeconds !== state.defaultTtlSeconds && (state.exists || declared)) {
    events.push({ type: 'StoreNamespaceConfigured', data: { namespace: state.name, defaultTtlSeconds } });
  }
  if (declared?.quota) events.push(...decideDeclaredQuota(state, declared.quota));
  if (declared?.tags) events.push(...decideDeclaredTags(state, declared.tags));
  if (declared?.grants) events.push(...decideDeclaredGrants(state, declared.grants));
  return events;
}
