import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Caller } from '../shared/request-meta';
import { AccessControl } from '../access/access-control';
import { ReadConsistency } from './read-consistency';
import { validateNamespace } from '../shared/names';
import { validateTag } from '../namespace/tags.decide';
import { NamespacesReadModel, NamespaceView } from '../read-models/namespaces/namespaces.read-model';

export class ListNamespaces extends Query<NamespaceView[]> {
  /** `tag`: only the namespaces with that tag. */
  constructor(readonly minPosition?: string, readonly tag?: string, readonly caller?: Caller) {
    super();
  }
}

export class GetNamespace extends Query<NamespaceView> {
  constructor(readonly namespace: string, readonly minPosition?: string, readonly caller?: Caller) {
    super();
  }
}

@QueryHandler(ListNamespaces)
export class ListNamespacesHandler implements IQueryHandler<ListNamespaces> {
  constructor(private readonly namespaces: NamespacesReadModel, private readonly reads: ReadConsistency, private readonly access: AccessControl) {}

  /** A caller without the admin role sees the namespaces it may read. */
  async execute({ minPosition, tag, caller }: ListNamespaces): Promise<NamespaceView[]> {
    if (tag !== undefined) validateTag(tag);
    await this.reads.ready(minPosition);
    const all = this.namespaces.list(tag);
    if (this.access.seesAll(caller)) return all;
    const readable = new Set(this.access.grantsOf(caller!).map((g) => g.namespace));
    return all.filter((n) => readable.has(n.name));
  }
}

@QueryHandler(GetNamespace)
export class GetNamespaceHandler implements IQueryHandler<GetNamespace> {
  constructor(private readonly namespaces: NamespacesReadModel, private readonly reads: ReadConsistency, private readonly access: AccessControl) {}

  async execute({ namespace, minPosition, caller }: GetNamespace): Promise<NamespaceView> {
    validateNamespace(namespace);
    this.access.require(caller, 'read', namespace);
    await this.reads.ready(minPosition);
    return this.namespaces.require(namespace);
  }
}
