import { DomainEvent } from '../shared/store-events';

/** What started a reload of the config file. */
export type ReloadTrigger = 'start' | 'http' | 'signal' | 'cli';

export const RELOAD_TRIGGERS: ReadonlySet<string> = new Set<ReloadTrigger>(['start', 'http', 'signal', 'cli']);

export interface ConfigChange {
  namespace: string;
  change: 'created' | 'configured' | 'quota' | 'tags' | 'dependencies' | 'schema';
  defaultTtlSeconds?: number | null;
  maxEntries?: number | null;
  maxBytes?: number | null;
  /** Tag -> colour, after the change. */
  tags?: Record<string, string>;
  dependsOn?: string[];
  /** The SHA-256 of the value schema after the change; null: none. */
  sha256?: string | null;
}

export interface ReloadResult {
  sha256: string;
  changes: ConfigChange[];
  unchanged: boolean;
}

/** Recorded on the store-wide stream after a reload; the namespace events it caused are in their own streams. */
export type ConfigReloaded = DomainEvent<'StoreConfigReloaded', ReloadResult & { trigger: ReloadTrigger }>;
