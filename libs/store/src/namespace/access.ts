import { DomainEvent } from '../shared/store-events';
import { StoreError } from '../shared/errors';
import { Caller } from '../shared/request-meta';

/** What a grant allows on one namespace; each level implies the ones before it. */
export const ACCESS_LEVELS = ['read', 'write', 'admin'] as const;
export type Access = (typeof ACCESS_LEVELS)[number];

/** The role that may do everything, on every namespace and the store itself. */
export const ADMIN_ROLE = 'admin';

/** Who a grant is for: `user:<name>` or `role:<name>`. */
export type Subject = `user:${string}` | `role:${string}`;

/** A subject given (or given another) access to a namespace. */
export type AccessGranted = DomainEvent<'StoreAccessGranted', { readonly namespace: string; readonly subject: string; readonly access: Access }>;
export type AccessRevoked = DomainEvent<'StoreAccessRevoked', { readonly namespace: string; readonly subject: string }>;

export type AccessEvent = AccessGranted | AccessRevoked;

/** Subject -> access, as a namespace's stream has granted it. */
export type Grants = Readonly<Record<string, Access>>;

export type { Caller };

export const isAccess = (value: unknown): value is Access => ACCESS_LEVELS.includes(value as Access);

/** `granted` covers `needed`: write implies read, admin implies write. */
export const covers = (granted: Access | undefined, needed: Access): boolean =>
  granted !== undefined && ACCESS_LEVELS.indexOf(granted) >= ACCESS_LEVELS.indexOf(needed);

export const isStoreAdmin = (caller: Caller): boolean => caller.roles.includes(ADMIN_ROLE);

/** The subjects a caller is: its user and each of its roles. */
export const subjectsOf = (caller: Caller): Subject[] => [`user:${caller.user}`, ...caller.roles.map((r): Subject => `role:${r}`)];

/** The highest access the grants give the caller (the admin role is not a grant: see `isAllowed`). */
export function grantedAccess(caller: Caller, grants: Grants): Access | undefined {
  let best: Access | undefined;
  for (const subject of subjectsOf(caller)) {
    const access = Object.hasOwn(grants, subject) ? grants[subject] : undefined;
    if (access !== undefined && !covers(best, access)) best = access;
  }
  return best;
}

/** The one access rule: the admin role may do everything; anyone else needs a grant that covers `needed`. */
export const isAllowed = (caller: Caller, grants: Grants, needed: Access): boolean =>
  isStoreAdmin(caller) || covers(grantedAccess(caller, grants), needed);

/** What an operation needs: access to its namespace, or the admin role (the store itself: backup, restore, namespace lifecycle). */
export type Needed = Access | 'store-admin';

export const forbidden = (caller: Caller, needed: Needed, namespace?: string) =>
  new StoreError('FORBIDDEN', needed === 'store-admin'
    ? `user ${caller.user} needs the ${ADMIN_ROLE} role for this call`
    : `user ${caller.user} has no ${needed} access to ${namespace === undefined ? 'any namespace' : `namespace ${namespace}`}`, {
    ...(namespace !== undefined && needed !== 'store-admin' && { namespace }), access: needed === 'store-admin' ? ADMIN_ROLE : needed,
  });

/**
 * Refuses with FORBIDDEN unless the caller may: `caller` undefined means no access is checked
 * (authentication is off, or the service does its own work). Grants are only looked up when needed.
 */
export function requireAccess(caller: Caller | undefined, needed: Needed, namespace: string | undefined, grants: () => Grants): void {
  if (caller === undefined || isStoreAdmin(caller)) return;
  if (needed === 'store-admin' || namespace === undefined || !covers(grantedAccess(caller, grants()), needed)) {
    throw forbidden(caller, needed, namespace);
  }
}

/** FORBIDDEN unless the caller has the admin role (or is not checked). */
export const requireStoreAdmin = (caller: Caller | undefined): void => requireAccess(caller, 'store-admin', undefined, () => ({}));
