import { DomainEvent } from '../shared/store-events';

/** Limits of one namespace; null: no limit. */
export interface Quota {
  readonly maxEntries: number | null;
  readonly maxBytes: number | null;
}

export const NO_QUOTA: Quota = { maxEntries: null, maxBytes: null };

/** The namespace's limits replaced (both; null clears one). */
export type QuotaSet = DomainEvent<'StoreQuotaSet', { readonly namespace: string } & Quota>;

/** A tag given (or given a new colour). */
export type TagSet = DomainEvent<'StoreTagSet', { readonly namespace: string; readonly tag: string; readonly color: string }>;
export type TagRemoved = DomainEvent<'StoreTagRemoved', { readonly namespace: string; readonly tag: string }>;

/** `namespace` depends on `dependsOn`. */
export type DependencyAdded = DomainEvent<'StoreDependencyAdded', { readonly namespace: string; readonly dependsOn: string }>;
export type DependencyRemoved = DomainEvent<'StoreDependencyRemoved', { readonly namespace: string; readonly dependsOn: string }>;

export type GovernanceEvent = QuotaSet | TagSet | TagRemoved | DependencyAdded | DependencyRemoved;
