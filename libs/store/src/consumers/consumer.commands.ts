import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { AccessControl } from '../access/access-control';
import { randomUUID } from 'node:crypto';
import { StoreBackend } from '../runtime/store-backend';
import { Clock } from '../shared/clock';
import { parseCursorInLog } from '../shared/cursor';
import { RequestMeta } from '../shared/request-meta';
import { eventMetadata } from '../shared/store-events';
import { consumerStream, decideCheckpoint } from '../consumer/consumer';
import { ConsumerView } from '../read-models/consumers/consumers.read-model';

export class SaveConsumerCheckpoint extends Command<ConsumerView> {
  constructor(readonly consumer: string, readonly position: string, readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(SaveConsumerCheckpoint)
export class SaveConsumerCheckpointHandler implements ICommandHandler<SaveConsumerCheckpoint> {
  constructor(private readonly backend: StoreBackend, private readonly clock: Clock, private readonly access: AccessControl) {}

  /** Checkpoints are store-wide: for admins and for callers that can read some namespace (feed readers). */
  async execute({ consumer, position, meta }: SaveConsumerCheckpoint): Promise<ConsumerView> {
    this.access.requireSomeRead(meta.caller);
    const [event] = decideCheckpoint(consumer, position, this.backend.eventStore.incarnation);
    // A checkpoint past the end of the log would make the consumer skip what is written up to it.
    await parseCursorInLog(position, this.backend.eventStore);
    // Saving the position the consumer already has changes nothing, so it writes nothing.
    const current = this.backend.consumers.get(consumer);
    if (current?.position === position) return current;
    const now = this.clock.now();
    const metadata = eventMetadata({ ...meta, now });
    // Last writer wins: a checkpoint needs no decision over earlier state, so any revision will do.
    await this.backend.eventStore.append(consumerStream(consumer), [{ id: randomUUID(), ...event, metadata }], 'any');
    return this.backend.consumers.get(consumer) ?? { name: consumer, position, checkpointedAt: now.toISOString(), checkpoints: 1 };
  }
}
