import { DomainEvent } from '../shared/store-events';

export interface RollbackPointData {
  readonly namespace: string;
  readonly id: string;
  readonly stage: string | null;
  readonly label: string | null;
  /** The namespace revision the point names: its state is the state after that revision. */
  readonly revision: number;
}

/** Keys a rollback brought back, changed and removed to reach the point's state. */
export interface RollbackDiff {
  readonly restored: string[];
  readonly changed: string[];
  readonly removed: string[];
}

export interface RolledBackData {
  readonly namespace: string;
  readonly pointId: string;
  readonly toRevision: number;
  /** A point recorded just before the rollback, so the rollback itself can be rolled back. */
  readonly undoPointId: string;
  readonly diff: RollbackDiff;
}

export type RollbackPointCreated = DomainEvent<'StoreRollbackPointCreated', RollbackPointData>;
export type RolledBack = DomainEvent<'StoreRolledBack', RolledBackData>;
export type RollbackEvent = RollbackPointCreated | RolledBack;
