import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Caller } from '../shared/request-meta';
import { AccessControl } from '../access/access-control';
import { StoreError } from '../shared/errors';
import { validateNamespace } from '../shared/names';
import { PageOptions } from '../shared/page';
import { StatePage, StatePages } from '../read-models/time-travel/state-pages';
import { SnapshotsReadModel, SnapshotView } from '../read-models/snapshots/snapshots.read-model';
import { SealedReads } from '../crypto/sealed-reads';

export class ListSnapshots extends Query<{ items: SnapshotView[] }> {
  constructor(readonly namespace: string, readonly caller?: Caller) {
    super();
  }
}

/** A snapshot with a page of the entries it captured. */
export class GetSnapshot extends Query<SnapshotView & { entries: StatePage }> {
  constructor(readonly namespace: string, readonly id: string, readonly page: PageOptions = {}, readonly caller?: Caller) {
    super();
  }
}

@QueryHandler(ListSnapshots)
export class ListSnapshotsHandler implements IQueryHandler<ListSnapshots> {
  constructor(private readonly snapshots: SnapshotsReadModel, private readonly pages: StatePages, private readonly access: AccessControl) {}

  async execute({ namespace, caller }: ListSnapshots) {
    this.access.require(caller, 'read', validateNamespace(namespace));
    this.pages.requireNamespace(namespace);
    return { items: this.snapshots.list(namespace) };
  }
}

@QueryHandler(GetSnapshot)
export class GetSnapshotHandler implements IQueryHandler<GetSnapshot> {
  constructor(
    private readonly snapshots: SnapshotsReadModel, private readonly pages: StatePages, private readonly access: AccessControl,
    private readonly sealed: SealedReads,
  ) {}

  async execute({ namespace, id, page, caller }: GetSnapshot) {
    this.access.require(caller, 'read', validateNamespace(namespace));
    this.pages.requireNamespace(namespace);
    const snapshot = this.snapshots.get(namespace, id);
    if (!snapshot) throw new StoreError('SNAPSHOT_NOT_FOUND', `no snapshot ${JSON.stringify(id)} of namespace ${namespace}`, { namespace, id });
    const entries = await this.pages.at(namespace, snapshot.revision, page);
    return { ...snapshot, entries: { ...entries, items: this.sealed.openAll(namespace, entries.items) } };
  }
}

export const SNAPSHOT_QUERY_HANDLERS = [ListSnapshotsHandler, GetSnapshotHandler];
