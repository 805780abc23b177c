import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { Clock } from '../shared/clock';
import { RequestMeta } from '../shared/request-meta';
import { handleCommand } from '../write-path/handle-command';
import { NamespaceWriter } from '../write-path/namespace-writer';
import { decideSnapshot } from '../namespace/snapshot.decide';
import { SnapshotsReadModel, SnapshotView } from '../read-models/snapshots/snapshots.read-model';

export class TakeSnapshot extends Command<SnapshotView> {
  constructor(readonly namespace: string, readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(TakeSnapshot)
export class TakeSnapshotHandler implements ICommandHandler<TakeSnapshot> {
  constructor(private readonly writer: NamespaceWriter, private readonly clock: Clock, private readonly snapshots: SnapshotsReadModel) {}

  execute({ namespace, meta }: TakeSnapshot): Promise<SnapshotView> {
    const id = randomUUID();
    return handleCommand(this.writer, this.clock, meta, {
      namespace,
      keys: [],
      operation: 'snapshot',
      input: {},
      decide: (state) => decideSnapshot(id, state),
      respond: () => this.snapshots.get(namespace, id)!,
    });
  }
}
