export const SWEEPER_OPTIONS = Symbol('ExpirySweeperOptions');

export interface ExpirySweeperOptions {
  /** Off in tests that call `sweep()` themselves. */
  readonly enabled: boolean;
  /** Longest wait between two sweeps. */
  readonly intervalMs: number;
}
