import { comparePositions, EventStore, formatPosition, parsePosition, Position, PositionFormatError } from '@app/event-store';
import { StoreError } from './errors';

/** Parses a client's cursor and checks it belongs to this incarnation of the store. */
export function parseCursor(text: string, incarnation: string): Position {
  let parsed: Position;
  try {
    parsed = parsePosition(text);
  } catch (error) {
    if (!(error instanceof PositionFormatError)) throw error;
    throw new StoreError('CURSOR_INVALID', 'the cursor is not a position of this store', { cursor: text.slice(0, 100) });
  }
  if (parsed.incarnation !== incarnation) {
    throw new StoreError('CURSOR_STALE', 'the cursor is from another incarnation of this store (before a restore?); start again from a fresh position', {
      cursor: text, incarnation,
    });
  }
  return parsed;
}

/**
 * parseCursor, and the position must not be beyond the head of the log: a cursor past the end
 * would make a subscriber skip, silently, the events written up to it. The head itself is fine.
 */
export async function parseCursorInLog(text: string, log: Pick<EventStore, 'incarnation' | 'headPosition'>): Promise<Position> {
  const parsed = parseCursor(text, log.incarnation);
  const head = await log.headPosition();
  if (head === undefined || comparePositions(parsed, head) > 0) {
    const where = head === undefined ? 'the log is empty' : `the head is ${formatPosition(head)}`;
    throw new StoreError('CURSOR_INVALID', `the position ${text} is beyond the head of the log (${where}): use a position this store gave`, {
      cursor: text, head: head === undefined ? null : formatPosition(head),
    });
  }
  return parsed;
}
