import { AccessControl } from '../access/access-control';
import { Caller } from '../shared/request-meta';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { AuditTrailFilter, AuditTrailItem, AuditTrailReadModel } from '../read-models/audit-trail/audit-trail.read-model';
import { StatePages } from '../read-models/time-travel/state-pages';
import { invalid } from '../shared/errors';
import { validateNamespace } from '../shared/names';
import { checkLimit, PageCursors, PageOptions } from '../shared/page';

/** StoreAuditTrail: the events of a namespace from the log — who did what and when — filtered, oldest first, paged. */
export class GetAuditTrail extends Query<{ items: AuditTrailItem[]; nextCursor: string | null }> {
  constructor(readonly namespace: string, readonly filter: AuditTrailFilter = {}, readonly page: PageOptions = {}, readonly caller?: Caller) {
    super();
  }
}

const ACTOR_RE = /^[\x21-\x7e]{1,128}$/;
const EVENT_TYPE_RE = /^Store[A-Za-z]{1,60}$/;
const ISO_TIME_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** An actor name as a filter: what the identity layer accepts as a user. */
export function checkActorFilter(actor: string | undefined): string | undefined {
  if (actor !== undefined && !ACTOR_RE.test(actor)) throw invalid('actor is a user name: 1-128 visible ASCII characters', { actor: actor.slice(0, 100) });
  return actor;
}

/** An ISO 8601 date or date-time with its offset, as the UTC form events carry. */
export function checkTime(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const time = ISO_TIME_RE.test(value) ? new Date(value) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) {
    throw invalid(`${name} is an ISO 8601 time such as 2026-01-31T12:00:00Z`, { [name]: value.slice(0, 100) });
  }
  return time.toISOString();
}

export function checkAuditTrailFilter(filter: AuditTrailFilter): AuditTrailFilter {
  if (filter.type !== undefined && !EVENT_TYPE_RE.test(filter.type)) {
    throw invalid('type is an event type such as StoreEntryCreated', { type: filter.type.slice(0, 100) });
  }
  const from = checkTime(filter.from, 'from');
  const to = checkTime(filter.to, 'to');
  if (from !== undefined && to !== undefined && from > to) throw invalid('from is after to', { from, to });
  return { actor: checkActorFilter(filter.actor), type: filter.type, from, to };
}

@QueryHandler(GetAuditTrail)
export class GetAuditTrailHandler implements IQueryHandler<GetAuditTrail> {
  constructor(
    private readonly pages: StatePages, private readonly trail: AuditTrailReadModel, private readonly cursors: PageCursors,
    private readonly access: AccessControl,
  ) {}

  async execute({ namespace, filter, page, caller }: GetAuditTrail) {
    this.access.require(caller, 'read', validateNamespace(namespace));
    this.pages.requireStream(namespace);
    const checked = checkAuditTrailFilter(filter);
    const limit = checkLimit(page.limit);
    const after = page.cursor === undefined ? -1 : this.cursors.revision(page.cursor);
    const rows = this.trail.page(namespace, checked, after, limit + 1);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? this.cursors.forRevision(items[items.length - 1].revision) : null };
  }
}
