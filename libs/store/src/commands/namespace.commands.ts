import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { Clock } from '../shared/clock';
import { NamespaceKeys } from '../crypto/sealed-values';
import { validateNamespace } from '../shared/names';
import { RequestMeta } from '../shared/request-meta';
import { handleCommand } from '../write-path/handle-command';
import { NamespaceWriter } from '../write-path/namespace-writer';
import { decideCreateNamespace } from '../namespace/namespace.decide';
import { NamespacesReadModel, NamespaceView } from '../read-models/namespaces/namespaces.read-model';

export type CreateNamespaceResult = NamespaceView & { created: boolean };

export class CreateNamespace extends Command<CreateNamespaceResult> {
  constructor(readonly namespace: string, readonly meta: RequestMeta, readonly options: { encrypted?: boolean } = {}) {
    super();
  }
}

@CommandHandler(CreateNamespace)
export class CreateNamespaceHandler implements ICommandHandler<CreateNamespace> {
  constructor(
    private readonly writer: NamespaceWriter,
    private readonly clock: Clock,
    private readonly namespaces: NamespacesReadModel,
    private readonly keys: NamespaceKeys,
  ) {}

  execute({ namespace, meta, options }: CreateNamespace): Promise<CreateNamespaceResult> {
    const encrypted = options.encrypted === true;
    if (encrypted) {
      // Only a caller that may create it gets a data key made.
      this.writer.authorise(meta, { namespace: validateNamespace(namespace), operation: 'create-namespace' });
      this.makeDataKey(namespace);
    }
    return handleCommand(this.writer, this.clock, meta, {
      namespace,
      keys: [],
      operation: 'create-namespace',
      input: encrypted ? { encrypted } : {},
      decide: (state) => decideCreateNamespace(state, encrypted),
      respond: ({ events }) => ({ ...this.namespaces.get(namespace)!, created: events.length > 0 }),
    });
  }

  /** The first data key is in the vault before the namespace's event: a crash in between leaves a harmless unused key. */
  private makeDataKey(namespace: string): void {
    validateNamespace(namespace);
    const head = this.namespaces.head(namespace);
    if (head?.exists && !head.encrypted) return;
    this.keys.current(namespace, this.clock.now());
  }
}
