import { LockState, liveHolder } from './lock';
import { StoreError } from '../shared/errors';

/** What a write carries about locks: the freeze token (X-Lock-Token) and a fencing token (X-Fencing-Token). */
export interface WriteLockTokens {
  readonly lockToken?: number;
  readonly fencing?: { readonly lock: string; readonly token: number };
}

/**
 * A write to a frozen namespace needs the freeze's token (423 LOCKED); a fenced write is refused
 * once its lock was granted a higher token (409 FENCED). Decided on the locks' states at the write.
 */
export function checkWriteAgainstLocks(
  namespace: string, freeze: LockState, fence: LockState | undefined, tokens: WriteLockTokens, now: Date,
): void {
  const frozen = liveHolder(freeze, now);
  if (frozen && tokens.lockToken !== frozen.token) {
    throw new StoreError('LOCKED', `namespace ${namespace} is frozen by ${frozen.owner} until ${new Date(frozen.expiresAt).toISOString()}; send its token in X-Lock-Token`, {
      namespace, owner: frozen.owner, expiresAt: new Date(frozen.expiresAt).toISOString(),
    });
  }
  if (!tokens.fencing || !fence) return;
  const { lock, token } = tokens.fencing;
  if (fence.lastToken > token) {
    throw new StoreError('FENCED', `lock ${lock} was granted token ${fence.lastToken} after ${token}; nothing was written`, {
      lock, token, currentToken: fence.lastToken,
    });
  }
  if (token > fence.lastToken) {
    throw new StoreError('LOCK_TOKEN_INVALID', `lock ${lock} never granted token ${token}`, { lock, token });
  }
}
