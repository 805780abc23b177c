import { EntryContent, isExpired, isLive, sameContent } from './entry';
import { writeEntry } from './entry.decide';
import { NamespaceEvent, NamespaceState, requireNamespace } from './namespace';
import { invalid } from '../shared/errors';
import { RollbackDiff, RollbackPointCreated } from './rollback';

export const POINT_TEXT_LIMITS = { stage: 64, label: 256 };

export interface PointInput {
  readonly id: string;
  readonly stage?: string;
  readonly label?: string;
}

/** CreateRollbackPoint: names the namespace's current revision. */
export function decideRollbackPoint(input: PointInput, state: NamespaceState): RollbackPointCreated[] {
  const revision = requireNamespace(state);
  return [pointCreated(state.name, input.id, checkText('stage', input.stage), checkText('label', input.label), revision)];
}

function checkText(name: keyof typeof POINT_TEXT_LIMITS, text: string | undefined): string | null {
  if (text === undefined) return null;
  const max = POINT_TEXT_LIMITS[name];
  if (typeof text !== 'string' || text.length === 0 || text.length > max) throw invalid(`${name} is text of 1 to ${max} characters`);
  return text;
}

const pointCreated = (namespace: string, id: string, stage: string | null, label: string | null, revision: number): RollbackPointCreated => ({
  type: 'StoreRollbackPointCreated',
  data: { namespace, id, stage, label, revision },
});

/** An entry as the point's state holds it. */
export interface TargetEntry {
  readonly content: EntryContent;
  readonly expiresAt: number | null;
}

export interface RollbackTarget {
  readonly pointId: string;
  readonly toRevision: number;
  /** Id for the point recorded before the rollback (its undo). */
  readonly undoPointId: string;
  /** The entries that were not deleted at the point. */
  readonly entries: ReadonlyMap<string, TargetEntry>;
}

/**
 * Rollback: the compensating events that make the visible entries (value, metadata, expiry) equal
 * those of the point, after a point that names the state before them and before StoreRolledBack;
 * all in one append. `state` must hold every entry of the namespace with its content. Entries of
 * the point whose expiry has passed by now stay gone: bringing them back would expire them at once.
 */
export function decideRollback(target: RollbackTarget, state: NamespaceState, now: Date): NamespaceEvent[] {
  const revision = requireNamespace(state);
  const ns = state.name;
  const diff: RollbackDiff = { restored: [], changed: [], removed: [] };
  const compensations: NamespaceEvent[] = [];
  const keys = [...new Set([...target.entries.keys(), ...state.entries.keys()])].sort();
  for (const key of keys) {
    const want = target.entries.get(key);
    const current = state.entries.get(key);
    const live = isLive(current, now.getTime()) ? current : undefined;
    if (want && !isExpired(want, now.getTime())) {
      if (live && sameContent(contentOf(live), want.content) && live.expiresAt === want.expiresAt) continue;
      (live ? diff.changed : diff.restored).push(key);
      compensations.push(...writeEntry(ns, key, want.content, want.expiresAt, current, now));
    } else if (live) {
      diff.removed.push(key);
      compensations.push({ type: 'StoreEntryDeleted', data: { namespace: ns, key, version: live.version } });
    }
  }
  return [
    pointCreated(ns, target.undoPointId, null, `before rollback to ${target.pointId}`, revision),
    ...compensations,
    {
      type: 'StoreRolledBack',
      data: { namespace: ns, pointId: target.pointId, toRevision: target.toRevision, undoPointId: target.undoPointId, diff },
    },
  ];
}

function contentOf(entry: { content?: EntryContent }): EntryContent {
  if (!entry.content) throw new Error('a rollback needs the content of every entry loaded');
  return entry.content;
}
