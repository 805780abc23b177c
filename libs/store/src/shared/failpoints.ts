/**
 * Crash points for the reliability tests (a testing aid, off unless HEXASTORE_FAILPOINT names one).
 * When the selected point is reached the process kills itself with SIGKILL, exactly as `kill -9`
 * would: no shutdown hook, no flush, no answer.
 *
 * - `before-append`: a write has decided its events inside the log's write transaction, which is not committed yet;
 * - `after-commit-before-answer`: a write is committed (and projected), its answer not sent;
 * - `mid-projection`: inside the append's transaction, after some read models applied an event and before the rest did;
 * - `mid-restore`: a restore has written the archive's first batch of events into its import transaction, before it commits.
 */
export const FAILPOINTS = ['before-append', 'after-commit-before-answer', 'mid-projection', 'mid-restore'] as const;
export type Failpoint = (typeof FAILPOINTS)[number];

/** Called where a failpoint sits; does nothing unless that point is the selected one. */
export type FailpointHit = (point: Failpoint) => void;

export const noFailpoints: FailpointHit = () => undefined;

/** The hit function for the selected point (or none): reaching it ends the process like kill -9. */
export function crashAt(selected: Failpoint | undefined): FailpointHit {
  if (selected === undefined) return noFailpoints;
  return (point) => {
    if (point === selected) process.kill(process.pid, 'SIGKILL');
  };
}
