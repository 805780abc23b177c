import { Grants, Needed, requireAccess } from '../namespace/access';
import { RequestMeta } from '../shared/request-meta';

/**
 * Every write operation and the access it needs. Data changes need write on the namespace; its
 * governance (grants, tags, quota, dependencies) namespace admin; a namespace's start and end, and
 * what the config file declares, the admin role.
 */
export const OPERATION_ACCESS = {
  'put-entry': 'write',
  'delete-entry': 'write',
  'transaction': 'write',
  'set-ttl': 'write',
  'expire': 'write',
  'restore': 'write',
  'purge': 'write',
  'snapshot': 'write',
  'rollback-point': 'write',
  'rollback': 'write',
  'set-quota': 'admin',
  'set-tag': 'admin',
  'remove-tag': 'admin',
  'add-dependency': 'admin',
  'remove-dependency': 'admin',
  'grant': 'admin',
  'revoke': 'admin',
  'set-schema': 'admin',
  'remove-schema': 'admin',
  'rotate-key': 'admin',
  'shred-keys': 'admin',
  'create-namespace': 'store-admin',
  'delete-namespace': 'store-admin',
  'configure-namespace': 'store-admin',
  'configure-dependencies': 'store-admin',
} as const satisfies Record<string, Needed>;

export type WriteOperation = keyof typeof OPERATION_ACCESS;

/** What a write asks of the policy: which namespace, which operation (and so which access). */
export interface WriteAccess {
  readonly namespace: string;
  readonly operation: WriteOperation;
}

/**
 * The authorisation step of the write path, run after validation and before any state is loaded.
 * Throws a StoreError (FORBIDDEN, LOCKED, …) to refuse; nothing is written then.
 */
export abstract class WritePolicy {
  abstract authorise(meta: RequestMeta, access: WriteAccess): void;
}


/** The admin role, or a grant on the namespace that covers what the operation needs (access.ts). */
export class GrantWritePolicy extends WritePolicy {
  constructor(private readonly grantsOf: (namespace: string) => Grants) {
    super();
  }

  authorise(meta: RequestMeta, { namespace, operation }: WriteAccess): void {
    requireAccess(meta.caller, OPERATION_ACCESS[operation], namespace, () => this.grantsOf(namespace));
  }
}
