import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { StoreError } from '../shared/errors';
import { validateNamespace } from '../shared/names';
import { NamespacesReadModel, NamespaceView } from './namespaces.read-model';

export class ListNamespaces extends Query<NamespaceView[]> {}

export class GetNamespace extends Query<NamespaceView> {
  constructor(readonly namespace: string) {
    super();
  }
}

@QueryHandler(ListNamespaces)
export class ListNamespacesHandler implements IQueryHandler<ListNamespaces> {
  constructor(private readonly namespaces: NamespacesReadModel) {}

  async execute(): Promise<NamespaceView[]> {
    return this.namespaces.list();
  }
}

@QueryHandler(GetNamespace)
export class GetNamespaceHandler implements IQueryHandler<GetNamespace> {
  constructor(private readonly namespaces: NamespacesReadModel) {}

  async execute({ namespace }: GetNamespace): Promise<NamespaceView> {
    const view = this.namespaces.get(validateNamespace(namespace));
    if (!view) throw new StoreError('NAMESPACE_NOT_FOUND', `no namespace ${namespace}`, { namespace });
    return view;
  }
}
