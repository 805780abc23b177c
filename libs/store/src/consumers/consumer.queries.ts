import { formatPosition, Position, RecordedEvent } from '@app/event-store';
import { requireStoreAdmin } from '../namespace/access';
import { Caller } from '../shared/request-meta';
import { AccessControl } from '../access/access-control';
import { matchesFeed } from '../feed/feed-event';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { StoreBackend } from '../runtime/store-backend';
import { Clock } from '../shared/clock';
import { parseCursor } from '../shared/cursor';
import { StoreError } from '../shared/errors';
import { toStoreEvent } from '../events/store-event';
import { STREAM_PREFIX } from '../shared/store-events';
import { validateConsumerName } from '../consumer/consumer';
import { ConsumerView } from '../read-models/consumers/consumers.read-model';

export class GetConsumer extends Query<ConsumerView> {
  constructor(readonly consumer: string, readonly caller?: Caller) {
    super();
  }
}

@QueryHandler(GetConsumer)
export class GetConsumerHandler implements IQueryHandler<GetConsumer> {
  constructor(private readonly backend: StoreBackend, private readonly access: AccessControl) {}

  async execute({ consumer, caller }: GetConsumer): Promise<ConsumerView> {
    this.access.requireSomeRead(caller);
    const view = this.backend.consumers.get(validateConsumerName(consumer));
    if (!view) throw new StoreError('CONSUMER_NOT_FOUND', `no consumer ${consumer} has saved a checkpoint`, { consumer });
    return view;
  }
}

export interface ReplicaStatus {
  id: string;
  kind: 'projector' | 'consumer';
  position: string | null;
  lagEvents: number;
  /** True when lagEvents stopped counting at the cap. */
  lagCapped: boolean;
  lagSeconds: number;
  status: 'live' | 'catching-up' | 'stalled';
  lastSyncedAt: string | null;
}

/** A consumer more than this far behind without checkpointing is stalled. */
const STALL_MS = 60_000;
const LAG_CAP = 10_000;

/** StoreReplication: each read-model projector of this service and each durable consumer. */
export class ListReplicas extends Query<ReplicaStatus[]> {
  constructor(readonly caller?: Caller) {
    super();
  }
}

@QueryHandler(ListReplicas)
export class ListReplicasHandler implements IQueryHandler<ListReplicas> {
  constructor(private readonly backend: StoreBackend, private readonly clock: Clock) {}

  async execute({ caller }: ListReplicas): Promise<ReplicaStatus[]> {
    requireStoreAdmin(caller);
    const now = this.clock.now().getTime();
    const projectors = this.backend.projectors().map(async ({ id, position }) => {
      const lag = await this.lag(position, now);
      const live = lag.lagEvents === 0;
      // A live projector is in sync as of now; one catching up reports no sync time.
      return { id, kind: 'projector' as const, ...lag, status: live ? 'live' : 'catching-up', lastSyncedAt: live ? new Date(now).toISOString() : null } as ReplicaStatus;
    });
    const consumers = this.backend.consumers.list().map(async (c) => {
      // A consumer is behind by what its feed would deliver: bookkeeping (checkpoints, idempotency answers) is not lag.
      const lag = await this.lag(parseCursor(c.position, this.backend.eventStore.incarnation), now, (e) => { const decoded = toStoreEvent(e); return decoded !== undefined && matchesFeed(decoded, {}); });
      const idle = now - Date.parse(c.checkpointedAt);
      const status = lag.lagEvents === 0 ? 'live' : idle > STALL_MS ? 'stalled' : 'catching-up';
      return { id: c.name, kind: 'consumer' as const, ...lag, status, lastSyncedAt: c.checkpointedAt } as ReplicaStatus;
    });
    return Promise.all([...projectors, ...consumers]);
  }

  /** Events after a position (counted up to a cap) and the age of the oldest of them. */
  private async lag(position: Position | 'start', now: number, counts: (event: RecordedEvent) => boolean = () => true) {
    const read = await this.backend.eventStore.readAll({ after: position, maxCount: LAG_CAP + 1, streamPrefix: STREAM_PREFIX });
    const behind = read.filter(counts);
    const oldest = behind.length > 0 ? toStoreEvent(behind[0])?.metadata : undefined;
    return {
      position: position === 'start' ? null : formatPosition(position),
      lagEvents: Math.min(behind.length, LAG_CAP),
      lagCapped: read.length > LAG_CAP,
      lagSeconds: oldest ? Math.max(0, (now - Date.parse(oldest.timestamp)) / 1000) : 0,
      lastSyncedAt: null as string | null,
    };
  }
}
