import { parsePosition, Position } from '@app/event-store';
import { Inject, Injectable } from '@nestjs/common';
import { StoreError } from '../shared/errors';
import { StoreBackend } from '../runtime/store-backend';

export const READ_WAIT_TIMEOUT_MS = Symbol('ReadWaitTimeoutMs');

/**
 * Checked before every query: the read models can be read, and, when the caller names a log
 * position (`minPosition`, the `position` a write answered), they include it: read-your-writes
 * across requests and replicas, waiting up to the configured time.
 */
@Injectable()
export class ReadConsistency {
  constructor(private readonly backend: StoreBackend, @Inject(READ_WAIT_TIMEOUT_MS) private readonly timeoutMs: number) {}

  async ready(minPosition?: string): Promise<void> {
    const wanted = minPosition === undefined ? undefined : parseMinPosition(minPosition);
    this.backend.assertReadable();
    if (!wanted) return;
    const incarnation = this.backend.eventStore.incarnation;
    if (wanted.incarnation !== incarnation) {
      throw new StoreError('CURSOR_STALE', 'minPosition is from another incarnation of this store (from before a restore, say)', {
        minPosition, incarnation,
      });
    }
    if (!(await this.backend.projected(wanted, this.timeoutMs))) {
      throw new StoreError('READ_TIMEOUT', `this replica has not reached minPosition within ${this.timeoutMs} ms`, { minPosition });
    }
  }
}

function parseMinPosition(text: string): Position {
  try {
    return parsePosition(text);
  } catch {
    throw new StoreError('CURSOR_INVALID', 'minPosition is not a log position (the `position` a write answered)', {
      minPosition: text.slice(0, 100),
    });
  }
}
