import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../shared/clock';
import { RequestMeta } from '../shared/request-meta';
import { handleCommand } from '../write-path/handle-command';
import { NamespaceWriter } from '../write-path/namespace-writer';
import { decideCreateNamespace } from '../namespace/namespace.decide';
import { NamespacesReadModel, NamespaceView } from '../read-models/namespaces/namespaces.read-model';

export type CreateNamespaceResult = NamespaceView & { created: boolean };

export class CreateNamespace extends Command<CreateNamespaceResult> {
  constructor(readonly namespace: string, readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(CreateNamespace)
export class CreateNamespaceHandler implements ICommandHandler<CreateNamespace> {
  constructor(
    private readonly writer: NamespaceWriter,
    private readonly clock: Clock,
    private readonly namespaces: NamespacesReadModel,
  ) {}

  execute({ namespace, meta }: CreateNamespace): Promise<CreateNamespaceResult> {
    return handleCommand(this.writer, this.clock, meta, {
      namespace,
      keys: [],
      operation: 'create-namespace',
      input: {},
      decide: (state) => decideCreateNamespace(state),
      respond: ({ events }) => ({ ...this.namespaces.get(namespace)!, created: events.length > 0 }),
    });
  }
}
