import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { decideAddDependency, decideDeleteNamespace, decideRemoveDependency } from '../namespace/dependencies.decide';
import { decideSetQuota, QuotaChange } from '../namespace/quota.decide';
import { decideRemoveTag, decideSetTag } from '../namespace/tags.decide';
import { DependenciesView, NamespacesReadModel, NamespaceView } from '../read-models/namespaces/namespaces.read-model';
import { Clock } from '../shared/clock';
import { RequestMeta } from '../shared/request-meta';
import { handleCommand } from '../write-path/handle-command';
import { NamespaceWriter } from '../write-path/namespace-writer';

export class SetQuota extends Command<NamespaceView> {
  constructor(readonly namespace: string, readonly quota: QuotaChange, readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(SetQuota)
export class SetQuotaHandler implements ICommandHandler<SetQuota> {
  constructor(private readonly writer: NamespaceWriter, private readonly clock: Clock, private readonly namespaces: NamespacesReadModel) {}

  execute({ namespace, quota, meta }: SetQuota): Promise<NamespaceView> {
    return handleCommand(this.writer, this.clock, meta, {
      namespace, keys: [], operation: 'set-quota', input: quota,
      decide: (state) => decideSetQuota(state, quota),
      respond: () => this.namespaces.require(namespace),
    });
  }
}

export class SetTag extends Command<Record<string, string>> {
  constructor(readonly namespace: string, readonly tag: string, readonly color: unknown, readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(SetTag)
export class SetTagHandler implements ICommandHandler<SetTag> {
  constructor(private readonly writer: NamespaceWriter, private readonly clock: Clock, private readonly namespaces: NamespacesReadModel) {}

  execute({ namespace, tag, color, meta }: SetTag): Promise<Record<string, string>> {
    return handleCommand(this.writer, this.clock, meta, {
      namespace, keys: [], operation: 'set-tag', input: { tag, color },
      decide: (state) => decideSetTag(state, tag, color),
      respond: () => this.namespaces.tags(namespace),
    });
  }
}

export class RemoveTag extends Command<void> {
  constructor(readonly namespace: string, readonly tag: string, readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(RemoveTag)
export class RemoveTagHandler implements ICommandHandler<RemoveTag> {
  constructor(private readonly writer: NamespaceWriter, private readonly clock: Clock) {}

  execute({ namespace, tag, meta }: RemoveTag): Promise<void> {
    return handleCommand(this.writer, this.clock, meta, {
      namespace, keys: [], operation: 'remove-tag', input: { tag },
      decide: (state) => decideRemoveTag(state, tag),
      respond: () => undefined,
    });
  }
}

/**
 * The dependency graph is store-wide, checked against the namespaces read model while deciding. The
 * embedded log decides under its write lock with the read models projected in the same transaction,
 * so two edges that would close a cycle together cannot both pass; replicas on a shared log check
 * against their own read models and may race (resolution then stops where a cycle closes).
 */
export class AddDependency extends Command<DependenciesView> {
  constructor(readonly namespace: string, readonly dependsOn: string, readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(AddDependency)
export class AddDependencyHandler implements ICommandHandler<AddDependency> {
  constructor(private readonly writer: NamespaceWriter, private readonly clock: Clock, private readonly namespaces: NamespacesReadModel) {}

  execute({ namespace, dependsOn, meta }: AddDependency): Promise<DependenciesView> {
    return handleCommand(this.writer, this.clock, meta, {
      namespace, keys: [], operation: 'add-dependency', input: { dependsOn },
      decide: (state) => decideAddDependency(state, dependsOn, this.namespaces.graph(), this.namespaces.get(dependsOn) !== undefined),
      respond: () => this.namespaces.dependencyView(namespace),
    });
  }
}

export class RemoveDependency extends Command<void> {
  constructor(readonly namespace: string, readonly dependsOn: string, readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(RemoveDependency)
export class RemoveDependencyHandler implements ICommandHandler<RemoveDependency> {
  constructor(private readonly writer: NamespaceWriter, private readonly clock: Clock) {}

  execute({ namespace, dependsOn, meta }: RemoveDependency): Promise<void> {
    return handleCommand(this.writer, this.clock, meta, {
      namespace, keys: [], operation: 'remove-dependency', input: { dependsOn },
      decide: (state) => decideRemoveDependency(state, dependsOn),
      respond: () => undefined,
    });
  }
}

export class DeleteNamespace extends Command<void> {
  constructor(readonly namespace: string, readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(DeleteNamespace)
export class DeleteNamespaceHandler implements ICommandHandler<DeleteNamespace> {
  constructor(private readonly writer: NamespaceWriter, private readonly clock: Clock, private readonly namespaces: NamespacesReadModel) {}

  execute({ namespace, meta }: DeleteNamespace): Promise<void> {
    return handleCommand(this.writer, this.clock, meta, {
      namespace, keys: [], operation: 'delete-namespace', input: {},
      decide: (state) => decideDeleteNamespace(state, this.namespaces.dependentsOf(namespace)),
      respond: () => undefined,
    });
  }
}

export const GOVERNANCE_COMMAND_HANDLERS = [
  SetQuotaHandler, SetTagHandler, RemoveTagHandler, AddDependencyHandler, RemoveDependencyHandler, DeleteNamespaceHandler,
];
