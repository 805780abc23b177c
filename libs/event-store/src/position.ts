/**
 * A global log position. Ordered by (commit, prepare) within one store incarnation; positions of
 * different incarnations (a store re-created by a restore, say) are not comparable.
 * Text form, used as the change-feed cursor: `<incarnation>:<commit>` or
 * `<incarnation>:<commit>:<prepare>` when the two differ.
 */
export interface Position {
  readonly incarnation: string;
  readonly commit: bigint;
  readonly prepare: bigint;
}

export class PositionFormatError extends Error {
  constructor(readonly text: string) {
    super(`not a log position: ${JSON.stringify(text.slice(0, 80))}`);
  }
}

const POSITION_RE = /^([a-z0-9]{1,32}):(\d{1,20})(?::(\d{1,20}))?$/;

export function position(incarnation: string, commit: bigint | number, prepare: bigint | number = commit): Position {
  return { incarnation, commit: BigInt(commit), prepare: BigInt(prepare) };
}

export function formatPosition(p: Position): string {
  const base = `${p.incarnation}:${p.commit}`;
  return p.prepare === p.commit ? base : `${base}:${p.prepare}`;
}

export function parsePosition(text: string): Position {
  const m = POSITION_RE.exec(text);
  if (!m) throw new PositionFormatError(text);
  return position(m[1], BigInt(m[2]), BigInt(m[3] ?? m[2]));
}

/** Negative when a is before b. Both must be of one incarnation. */
export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}
