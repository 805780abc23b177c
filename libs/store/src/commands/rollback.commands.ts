import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { contentOf } from '../namespace/entry';
import { TimeTravel } from '../read-models/time-travel/time-travel';
import { Clock } from '../shared/clock';
import { StoreError } from '../shared/errors';
import { RequestMeta } from '../shared/request-meta';
import { appendedAt, handleCommand } from '../write-path/handle-command';
import { NamespaceWriter } from '../write-path/namespace-writer';
import { RecordedNamespaceEvent } from '../events/store-event';
import { RollbackDiff } from '../namespace/rollback';
import { decideRollback, decideRollbackPoint, TargetEntry } from '../namespace/rollback.decide';
import { RollbackPointsReadModel, RollbackPointView } from '../read-models/rollback-points/rollback-points.read-model';

export class CreateRollbackPoint extends Command<RollbackPointView> {
  constructor(readonly namespace: string, readonly input: { stage?: string; label?: string }, readonly meta: RequestMeta) {
    super();
  }
}

export interface RollbackResult {
  pointId: string;
  toRevision: number;
  /** Roll back to this point to undo the rollback. */
  undoPointId: string;
  diff: RollbackDiff;
  revision: number;
  position: string;
}

/** Rollback: compensating events that bring the namespace back to a point's state. */
export class RollBack extends Command<RollbackResult> {
  constructor(readonly namespace: string, readonly pointId: string, readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(CreateRollbackPoint)
export class CreateRollbackPointHandler implements ICommandHandler<CreateRollbackPoint> {
  constructor(private readonly writer: NamespaceWriter, private readonly clock: Clock, private readonly points: RollbackPointsReadModel) {}

  execute({ namespace, input, meta }: CreateRollbackPoint): Promise<RollbackPointView> {
    const id = randomUUID();
    return handleCommand(this.writer, this.clock, meta, {
      namespace,
      keys: [],
      operation: 'rollback-point',
      input,
      decide: (state) => decideRollbackPoint({ id, ...input }, state),
      respond: () => this.points.get(namespace, id)!,
    });
  }
}

@CommandHandler(RollBack)
export class RollBackHandler implements ICommandHandler<RollBack> {
  constructor(
    private readonly writer: NamespaceWriter,
    private readonly clock: Clock,
    private readonly points: RollbackPointsReadModel,
    private readonly timeTravel: TimeTravel,
  ) {}

  async execute({ namespace, pointId, meta }: RollBack): Promise<RollbackResult> {
    this.writer.authorise(meta, { namespace, operation: 'rollback' });
    const point = this.points.get(namespace, pointId);
    if (!point) throw pointNotFound(namespace, pointId);
    // The past does not change: the point's state can be rebuilt before taking the write lock.
    const entries = new Map<string, TargetEntry>();
    for (const record of (await this.timeTravel.stateAt(namespace, point.revision)).values()) {
      if (record.deletedAt === null) entries.set(record.key, { content: contentOf(record), expiresAt: record.expiresAt });
    }
    const undoPointId = randomUUID();
    return handleCommand(this.writer, this.clock, meta, {
      namespace,
      keys: 'all',
      operation: 'rollback',
      input: { pointId },
      decide: (state, now) => decideRollback({ pointId, toRevision: point.revision, undoPointId, entries }, state, now),
      respond: ({ events }) => ({ pointId, toRevision: point.revision, undoPointId, diff: rolledBackDiff(events), ...appendedAt(events) }),
    });
  }
}

function rolledBackDiff(events: readonly RecordedNamespaceEvent[]): RollbackDiff {
  const closing = events[events.length - 1];
  if (closing.type !== 'StoreRolledBack') throw new Error(`a rollback ends with StoreRolledBack, not ${closing.type}`);
  return closing.data.diff;
}

export const pointNotFound = (namespace: string, id: string) =>
  new StoreError('ROLLBACK_POINT_NOT_FOUND', `no rollback point ${JSON.stringify(id)} in namespace ${namespace}`, { namespace, id });

export const ROLLBACK_COMMAND_HANDLERS = [CreateRollbackPointHandler, RollBackHandler];
