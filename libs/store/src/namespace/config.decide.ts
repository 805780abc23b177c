import { Quota } from './governance';
import { NamespaceEvent, NamespaceState } from './namespace';
import { decideDeclaredQuota } from './quota.decide';
import { decideDeclaredTags } from './tags.decide';
import { ValueSchema } from './value-schema';
import { decideDeclaredSchema } from './value-schema.decide';

/**
 * What the config file declares of a namespace. `quota`, `tags`, `dependencies` and `valueSchema`, when declared,
 * are exactly what the namespace gets; left out, the namespace keeps what the API gave it.
 */
export interface NamespaceSettings {
  readonly defaultTtlSeconds: number | null;
  readonly quota?: Quota;
  readonly tags?: Readonly<Record<string, string>>;
  /** Applied after every declared namespace exists (decideDeclaredDependencies). */
  readonly dependencies?: readonly string[];
  /** The value schema; null: none (a schema set through the API is removed); left out: the API's to set. */
  readonly valueSchema?: ValueSchema | null;
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
  if (declared) events.push(...decideDeclaredSchema(state, declared.valueSchema));
  return events;
}
