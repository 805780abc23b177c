import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Caller } from '../shared/request-meta';
import { AccessControl } from '../access/access-control';
import { SealedReads } from '../crypto/sealed-reads';
import { StatePage, StatePages } from '../read-models/time-travel/state-pages';
import { validateNamespace } from '../shared/names';
import { PageOptions } from '../shared/page';
import { pointNotFound } from '../commands/rollback.commands';
import { RollbackPointsReadModel, RollbackPointView } from '../read-models/rollback-points/rollback-points.read-model';

export class ListRollbackPoints extends Query<{ items: RollbackPointView[] }> {
  constructor(readonly namespace: string, readonly caller?: Caller) {
    super();
  }
}

/** A point with a page of the namespace's state at it, rebuilt from the log. */
export class GetRollbackPoint extends Query<RollbackPointView & { entries: StatePage }> {
  constructor(readonly namespace: string, readonly id: string, readonly page: PageOptions = {}, readonly caller?: Caller) {
    super();
  }
}

@QueryHandler(ListRollbackPoints)
export class ListRollbackPointsHandler implements IQueryHandler<ListRollbackPoints> {
  constructor(private readonly points: RollbackPointsReadModel, private readonly pages: StatePages, private readonly access: AccessControl) {}

  async execute({ namespace, caller }: ListRollbackPoints) {
    this.access.require(caller, 'read', validateNamespace(namespace));
    this.pages.requireNamespace(namespace);
    return { items: this.points.list(namespace) };
  }
}

@QueryHandler(GetRollbackPoint)
export class GetRollbackPointHandler implements IQueryHandler<GetRollbackPoint> {
  constructor(
    private readonly points: RollbackPointsReadModel, private readonly pages: StatePages, private readonly access: AccessControl,
    private readonly sealed: SealedReads,
  ) {}

  async execute({ namespace, id, page, caller }: GetRollbackPoint) {
    this.access.require(caller, 'read', validateNamespace(namespace));
    this.pages.requireNamespace(namespace);
    const point = this.points.get(namespace, id);
    if (!point) throw pointNotFound(namespace, id);
    const entries = await this.pages.at(namespace, point.revision, page);
    return { ...point, entries: { ...entries, items: this.sealed.openAll(namespace, entries.items) } };
  }
}

export const ROLLBACK_QUERY_HANDLERS = [ListRollbackPointsHandler, GetRollbackPointHandler];
