import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DependenciesView, NamespacesReadModel, SchemaView } from '../read-models/namespaces/namespaces.read-model';
import { schemaNotFound } from '../namespace/value-schema.decide';
import { Caller } from '../shared/request-meta';
import { AccessControl } from '../access/access-control';
import { validateNamespace } from '../shared/names';
import { ReadConsistency } from './read-consistency';


export class GetTags extends Query<Record<string, string>> {
  constructor(readonly namespace: string, readonly minPosition?: string, readonly caller?: Caller) {
    super();
  }
}

@QueryHandler(GetTags)
export class GetTagsHandler implements IQueryHandler<GetTags> {
  constructor(private readonly namespaces: NamespacesReadModel, private readonly reads: ReadConsistency, private readonly access: AccessControl) {}

  async execute({ namespace, minPosition, caller }: GetTags): Promise<Record<string, string>> {
    validateNamespace(namespace);
    this.access.require(caller, 'read', namespace);
    await this.reads.ready(minPosition);
    return this.namespaces.require(namespace).tags;
  }
}

export class GetDependencies extends Query<DependenciesView> {
  constructor(readonly namespace: string, readonly minPosition?: string, readonly caller?: Caller) {
    super();
  }
}

@QueryHandler(GetDependencies)
export class GetDependenciesHandler implements IQueryHandler<GetDependencies> {
  constructor(private readonly namespaces: NamespacesReadModel, private readonly reads: ReadConsistency, private readonly access: AccessControl) {}

  async execute({ namespace, minPosition, caller }: GetDependencies): Promise<DependenciesView> {
    validateNamespace(namespace);
    this.access.require(caller, 'read', namespace);
    await this.reads.ready(minPosition);
    return this.namespaces.dependencyView(namespace);
  }
}


export class GetSchema extends Query<SchemaView> {
  constructor(readonly namespace: string, readonly minPosition?: string, readonly caller?: Caller) {
    super();
  }
}

/** The namespace's value schema; SCHEMA_NOT_FOUND when it has none. */
@QueryHandler(GetSchema)
export class GetSchemaHandler implements IQueryHandler<GetSchema> {
  constructor(private readonly namespaces: NamespacesReadModel, private readonly reads: ReadConsistency, private readonly access: AccessControl) {}

  async execute({ namespace, minPosition, caller }: GetSchema): Promise<SchemaView> {
    validateNamespace(namespace);
    this.access.require(caller, 'read', namespace);
    await this.reads.ready(minPosition);
    this.namespaces.require(namespace);
    const schema = this.namespaces.schema(namespace);
    if (!schema) throw schemaNotFound(namespace);
    return schema;
  }
}

export const GOVERNANCE_QUERY_HANDLERS = [GetTagsHandler, GetDependenciesHandler, GetSchemaHandler];
