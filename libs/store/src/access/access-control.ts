import { Injectable } from '@nestjs/common';
import { frozenNamespace } from '../lock/lock';
import { Access, Caller, covers, forbidden, grantedAccess, isAllowed, isStoreAdmin, Needed, requireAccess, subjectsOf } from '../namespace/access';
import { NamespacesReadModel } from '../read-models/namespaces/namespaces.read-model';

/** One namespace a caller's grants reach, with the highest access they give there. */
export interface CallerGrant {
  namespace: string;
  access: Access;
}

/**
 * The access check of every query and store-wide call, on the grants the namespaces read model holds
 * now (so a grant given or revoked counts from the next call, and from the next event of a feed).
 * A caller of undefined is not checked: authentication is off, or the service does its own work.
 */
@Injectable()
export class AccessControl {
  constructor(private readonly namespaces: NamespacesReadModel) {}

  /** FORBIDDEN unless the caller may: `store-admin` needs the admin role. */
  require(caller: Caller | undefined, needed: Needed, namespace?: string): void {
    requireAccess(caller, needed, namespace, () => this.namespaces.grants(namespace!));
  }

  /** Whether the caller may read the namespace (every event of a feed is decided by this). */
  canRead(caller: Caller | undefined, namespace: string): boolean {
    return caller === undefined || isAllowed(caller, this.namespaces.grants(namespace), 'read');
  }

  /** Whether the caller sees everything: no check, or the admin role. */
  seesAll(caller: Caller | undefined): boolean {
    return caller === undefined || isStoreAdmin(caller);
  }

  /** FORBIDDEN unless the caller is a store admin or can read at least one namespace (a feed reader). */
  requireSomeRead(caller: Caller | undefined): void {
    this.requireSome(caller, 'read');
  }

  /** FORBIDDEN unless the caller is a store admin or has `needed` on at least one namespace. */
  requireSome(caller: Caller | undefined, needed: Access): void {
    if (caller === undefined || isStoreAdmin(caller) || this.grantsOf(caller).some((g) => covers(g.access, needed))) return;
    throw forbidden(caller, needed);
  }

  /**
   * Locks: a namespace's freeze is managed by its admins and seen by its readers; a named lock (store-wide
   * coordination, no namespace of its own) is taken, renewed and released by any caller that may write some
   * namespace, and seen by any that may read one.
   */
  requireLock(caller: Caller | undefined, lock: string, change: boolean): void {
    const namespace = frozenNamespace(lock);
    if (namespace !== undefined) this.require(caller, change ? 'admin' : 'read', namespace);
    else this.requireSome(caller, change ? 'write' : 'read');
  }

  /** The namespaces the caller's user and roles have grants on, with the highest access each gives. */
  grantsOf(caller: Caller): CallerGrant[] {
    const byNamespace = new Map<string, Record<string, Access>>();
    for (const g of this.namespaces.grantsFor(subjectsOf(caller))) {
      byNamespace.set(g.namespace, { ...byNamespace.get(g.namespace), [g.subject]: g.access });
    }
    return [...byNamespace].map(([namespace, grants]) => ({ namespace, access: grantedAccess(caller, grants)! }));
  }
}
