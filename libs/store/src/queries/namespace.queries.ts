import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ReadConsistency } from './read-consistency';
import { validateNamespace } from '../shared/names';
import { validateTag } from '../namespace/tags.decide';
import { NamespacesReadModel, NamespaceView } from '../read-models/namespaces/namespaces.read-model';

export class ListNamespaces extends Query<NamespaceView[]> {
  /** `tag`: only the namespaces with that tag. */
  constructor(readonly minPosition?: string, readonly tag?: string) {
    super();
  }
}

export class GetNamespace extends Query<NamespaceView> {
  constructor(readonly namespace: string, readonly minPosition?: string) {
    super();
  }
}

@QueryHandler(ListNamespaces)
export class ListNamespacesHandler implements IQueryHandler<ListNamespaces> {
  constructor(private readonly namespaces: NamespacesReadModel, private readonly reads: ReadConsistency) {}

  async execute({ minPosition, tag }: ListNamespaces): Promise<NamespaceView[]> {
    if (tag !== undefined) validateTag(tag);
    await this.reads.ready(minPosition);
    return this.namespaces.list(tag);
  }
}

@QueryHandler(GetNamespace)
export class GetNamespaceHandler implements IQueryHandler<GetNamespace> {
  constructor(private readonly namespaces: NamespacesReadModel, private readonly reads: ReadConsistency) {}

  async execute({ namespace, minPosition }: GetNamespace): Promise<NamespaceView> {
    validateNamespace(namespace);
    await this.reads.ready(minPosition);
    return this.namespaces.require(namespace);
  }
}
