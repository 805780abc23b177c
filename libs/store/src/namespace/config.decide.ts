import { NamespaceEvent, NamespaceState } from './namespace';

/** What the config file declares of a namespace. */
export interface NamespaceSettings {
  readonly defaultTtlSeconds: number | null;
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
  return events;
}
