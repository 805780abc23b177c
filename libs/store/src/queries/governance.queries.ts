import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DependenciesView, NamespacesReadModel, SchemaView } from '../read-models/namespaces/namespaces.read-model';
import { schemaNotFound } from '../namespace/value-schema.decide';
import { validateNamespace } from '../shared/names';
import { ReadConsistency } from './read-consistency';


export class GetTags extends Query<Record<string, string>> {
  constructor(readonly namespace: string, readonly minPosition?: string) {
    super();
  }
}

@QueryHandler(GetTags)
export class GetTagsHandler implements IQueryHandler<GetTags> {
  constructor(private readonly namespaces: NamespacesReadModel, private readonly reads: ReadConsistency) {}

  async execute({ namespace, minPosition }: GetTags): Promise<Record<string, string>> {
    validateNamespace(namespace);
    await this.reads.ready(minPosition);
    return this.namespaces.require(namespace).tags;
  }
}

export class GetDependencies extends Query<DependenciesView> {
  constructor(readonly namespace: string, readonly minPosition?: string) {
    super();
  }
}

@QueryHandler(GetDependencies)
export class GetDependenciesHandler implements IQueryHandler<GetDependencies> {
  constructor(private readonly namespaces: NamespacesReadModel, private readonly reads: ReadConsistency) {}

  async execute({ namespace, minPosition }: GetDependencies): Promise<DependenciesView> {
    validateNamespace(namespace);
    await this.reads.ready(minPosition);
    return this.namespaces.dependencyView(namespace);
  }
}


export class GetSchema extends Query<SchemaView> {
  constructor(readonly namespace: string, readonly minPosition?: string) {
    super();
  }
}

/** The namespace's value schema; SCHEMA_NOT_FOUND when it has none. */
@QueryHandler(GetSchema)
export class GetSchemaHandler implements IQueryHandler<GetSchema> {
  constructor(private readonly namespaces: NamespacesReadModel, private readonly reads: ReadConsistency) {}

  async execute({ namespace, minPosition }: GetSchema): Promise<SchemaView> {
    validateNamespace(namespace);
    await this.reads.ready(minPosition);
    this.namespaces.require(namespace);
    const schema = this.namespaces.schema(namespace);
    if (!schema) throw schemaNotFound(namespace);
    return schema;
  }
}

export const GOVERNANCE_QUERY_HANDLERS = [GetTagsHandler, GetDependenciesHandler, GetSchemaHandler];
