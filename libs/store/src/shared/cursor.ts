import { parsePosition, Position, PositionFormatError } from '@app/event-store';
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
