import { AccessControl } from '../access/access-control';
import { Caller } from '../shared/request-meta';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { invalid } from '../shared/errors';
import { validateNamespace } from '../shared/names';
import { checkLimit, PageCursors, PageOptions } from '../shared/page';
import { AccessAudit, AccessAuditFilter, AccessAuditItem, ACCESS_OUTCOMES, AccessOutcome } from './access-audit';

/** The access audit of a namespace: its calls, newest first, paged; namespace admins only. */
export class GetAccessAudit extends Query<{ items: AccessAuditItem[]; nextCursor: string | null }> {
  constructor(
    readonly namespace: string, readonly filter: { actor?: string; outcome?: string } = {}, readonly page: PageOptions = {},
    readonly caller?: Caller,
  ) {
    super();
  }
}

const ACTOR_RE = /^[\x21-\x7e]{1,128}$/;

function checkFilter(filter: GetAccessAudit['filter']): AccessAuditFilter {
  if (filter.actor !== undefined && !ACTOR_RE.test(filter.actor)) {
    throw invalid('actor is a user name: 1-128 visible ASCII characters', { actor: filter.actor.slice(0, 100) });
  }
  if (filter.outcome !== undefined && !(ACCESS_OUTCOMES as readonly string[]).includes(filter.outcome)) {
    throw invalid(`outcome is one of ${ACCESS_OUTCOMES.join(', ')}`, { outcome: filter.outcome.slice(0, 100) });
  }
  return { actor: filter.actor, outcome: filter.outcome as AccessOutcome | undefined };
}

@QueryHandler(GetAccessAudit)
export class GetAccessAuditHandler implements IQueryHandler<GetAccessAudit> {
  constructor(private readonly audit: AccessAudit, private readonly cursors: PageCursors, private readonly access: AccessControl) {}

  async execute({ namespace, filter, page, caller }: GetAccessAudit) {
    validateNamespace(namespace);
    this.access.require(caller, 'admin', namespace);
    const checked = checkFilter(filter);
    const limit = checkLimit(page.limit);
    const before = page.cursor === undefined ? Number.MAX_SAFE_INTEGER : this.cursors.revision(page.cursor);
    const rows = this.audit.page(namespace, checked, before, limit + 1);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? this.cursors.forRevision(items[items.length - 1].id) : null };
  }
}
