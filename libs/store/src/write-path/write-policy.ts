import { RequestMeta } from '../shared/request-meta';

/** What a write asks of the policy: who, which namespace, which operation. */
export interface WriteAccess {
  readonly namespace: string;
  readonly operation: string;
}

/**
 * The authorisation step of the write path, run after validation and before any state is loaded.
 * Throws a StoreError (FORBIDDEN, LOCKED, …) to refuse; nothing is written then.
 */
export abstract class WritePolicy {
  abstract authorise(meta: RequestMeta, access: WriteAccess): void;
}

/** Everyone may write: the policy until identity and access control are configured. */
export class OpenWritePolicy extends WritePolicy {
  authorise(): void {}
}
