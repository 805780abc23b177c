import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AccessControl, CallerGrant } from '../access/access-control';
import { Access, ADMIN_ROLE, covers, subjectsOf } from '../namespace/access';
import { validateAccess, validateSubject } from '../namespace/grants.decide';
import { NamespacesReadModel } from '../read-models/namespaces/namespaces.read-model';
import { validateNamespace } from '../shared/names';
import { Caller } from '../shared/request-meta';
import { ReadConsistency } from './read-consistency';

export interface GrantsView {
  items: { subject: string; access: Access }[];
}

/** The grants of one namespace, by subject (namespace admin). */
export class ListGrants extends Query<GrantsView> {
  constructor(readonly namespace: string, readonly minPosition?: string, readonly caller?: Caller) {
    super();
  }
}

@QueryHandler(ListGrants)
export class ListGrantsHandler implements IQueryHandler<ListGrants> {
  constructor(private readonly namespaces: NamespacesReadModel, private readonly reads: ReadConsistency, private readonly access: AccessControl) {}

  async execute({ namespace, minPosition, caller }: ListGrants): Promise<GrantsView> {
    this.access.require(caller, 'admin', validateNamespace(namespace));
    await this.reads.ready(minPosition);
    this.namespaces.require(namespace);
    return { items: Object.entries(this.namespaces.grants(namespace)).map(([subject, access]) => ({ subject, access })) };
  }
}

/**
 * Whether one subject's own grant (or, for `role:admin`, the role) allows `access` on the namespace.
 * A user's roles come with its credential, so they are not counted here: check each role too.
 * Namespace admins may ask about anyone; others about their own user and roles.
 */
export class CheckGrant extends Query<{ allowed: boolean }> {
  constructor(readonly namespace: string, readonly subject: unknown, readonly access: unknown, readonly caller?: Caller) {
    super();
  }
}

@QueryHandler(CheckGrant)
export class CheckGrantHandler implements IQueryHandler<CheckGrant> {
  constructor(private readonly namespaces: NamespacesReadModel, private readonly access: AccessControl) {}

  async execute({ namespace, subject, access, caller }: CheckGrant): Promise<{ allowed: boolean }> {
    validateNamespace(namespace);
    const s = validateSubject(subject);
    const needed = validateAccess(access);
    if (caller === undefined || !(subjectsOf(caller) as string[]).includes(s)) this.access.require(caller, 'admin', namespace);
    this.namespaces.require(namespace);
    const grants = this.namespaces.grants(namespace);
    return { allowed: s === `role:${ADMIN_ROLE}` || covers(Object.hasOwn(grants, s) ? grants[s] : undefined, needed) };
  }
}

/** The namespaces the caller's user and roles have grants on (GET /v1/whoami). */
export class GetCallerGrants extends Query<CallerGrant[]> {
  constructor(readonly caller: Caller) {
    super();
  }
}

@QueryHandler(GetCallerGrants)
export class GetCallerGrantsHandler implements IQueryHandler<GetCallerGrants> {
  constructor(private readonly access: AccessControl) {}

  async execute({ caller }: GetCallerGrants): Promise<CallerGrant[]> {
    return this.access.grantsOf(caller);
  }
}

export const GRANT_QUERY_HANDLERS = [ListGrantsHandler, CheckGrantHandler, GetCallerGrantsHandler];
