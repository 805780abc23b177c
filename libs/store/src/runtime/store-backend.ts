import {
  BackendUnavailableError, canImport, EventStore, LogImport, Position, ReadModelHost, RebuildProgress,
} from '@app/event-store';
import { hostname } from 'node:os';
import { FailpointHit, noFailpoints } from '../shared/failpoints';
import { IdempotencyLog } from '../read-models/idempotency/idempotency-log';
import { StoreError } from '../shared/errors';
import { DecisionStates } from '../write-path/decision-states';
import { NamespaceWriter, WriterOptions } from '../write-path/namespace-writer';
import { GrantWritePolicy, WritePolicy } from '../write-path/write-policy';
import { LockWriteGuard } from '../write-path/lock-guard';
import { LockWriter } from '../write-path/lock-writer';
import { openReadModels, ReadModels, readModelStateSource } from './read-models';

export interface ProjectorStatus {
  readonly id: string;
  readonly position: Position | 'start';
}

export interface StoreBackendParts {
  readonly name: string;
  readonly log: EventStore;
  readonly readModels: ReadModelHost;
  /** A directory beside the data where a restore may spool the archive it verifies. */
  readonly scratchDir: string;
  readonly writer: WriterOptions;
  /** Why a write cannot be made now, if it cannot (a replica not following its log). */
  readonly unwritable?: () => string | undefined;
  readonly policy?: WritePolicy;
  /** Test crash points (shared/failpoints.ts); none by default. */
  readonly failpoint?: FailpointHit;
}

/**
 * The store's runtime on one backend: the log, the read models it keeps, their queries and the
 * one write path. Backends differ only in the parts they are built from.
 */
export class StoreBackend {
  readonly name: string;
  readonly eventStore: EventStore;
  readonly writer: NamespaceWriter;
  readonly lockWriter: LockWriter;
  readonly scratchDir: string;
  readonly idempotency: IdempotencyLog;
  /** The write path's decision state; exposed for checks that it equals the read models. */
  readonly decisionStates: DecisionStates;
  protected readonly host: ReadModelHost;
  private readonly queries: ReadModels;

  constructor(private readonly parts: StoreBackendParts) {
    this.name = parts.name;
    this.eventStore = parts.log;
    this.host = parts.readModels;
    this.scratchDir = parts.scratchDir;
    this.queries = openReadModels(parts.readModels.db, parts.log);
    const states = (this.decisionStates = new DecisionStates(readModelStateSource(this.queries), parts.readModels.inline));
    this.idempotency = new IdempotencyLog(parts.readModels.db);
    const guard = new LockWriteGuard(parts.log, parts.readModels, this.queries.locks, parts.writer.timeoutMs);
    this.writer = new NamespaceWriter(
      parts.log, parts.readModels, states, this.idempotency,
      parts.policy ?? new GrantWritePolicy((namespace) => this.queries.namespaces.grants(namespace)), parts.writer, () => this.assertWritable(),
      parts.failpoint ?? noFailpoints, guard,
    );
    this.lockWriter = new LockWriter(parts.log, parts.readModels, this.queries.locks, parts.writer.timeoutMs, () => this.assertWritable());
  }

  get entries() {
    return this.queries.entries;
  }
  get namespaces() {
    return this.queries.namespaces;
  }
  get consumers() {
    return this.queries.consumers;
  }
  get history() {
    return this.queries.history;
  }
  get auditTrail() {
    return this.queries.auditTrail;
  }
  get rollbackPoints() {
    return this.queries.rollbackPoints;
  }
  get locks() {
    return this.queries.locks;
  }
  get snapshots() {
    return this.queries.snapshots;
  }
  get timeTravel() {
    return this.queries.timeTravel;
  }
  get purged() {
    return this.queries.purged;
  }

  /** Each read-model projector of this process and the last position it applied. */
  projectors(): ProjectorStatus[] {
    return [{ id: `read-models@${hostname()}:${process.pid}`, position: this.host.checkpoint() }];
  }

  /** Drops the read models and replays the whole log; answers the number of events replayed. */
  rebuild(onProgress?: RebuildProgress): Promise<number> {
    return this.host.rebuild(onProgress);
  }

  /** Restores a verified archive all or nothing, with a new incarnation (see backup/). */
  restore<R>(plan: LogImport<R>): Promise<R> {
    if (!canImport(this.eventStore)) {
      throw new StoreError('NOT_SUPPORTED', `restore is not available on the ${this.name} backend yet: restore into a sqlite store`);
    }
    const failpoint = this.parts.failpoint ?? noFailpoints;
    if (failpoint === noFailpoints) return this.eventStore.importLog(plan);
    // mid-restore: the first batch is written into the import's transaction when the next one is asked for.
    return this.eventStore.importLog({
      streams: plan.streams,
      *events() {
        let batches = 0;
        for (const batch of plan.events()) {
          if (batches++ === 1) failpoint('mid-restore');
          yield batch;
        }
        if (batches === 1) failpoint('mid-restore');
      },
      decide: (existing) => plan.decide(existing),
      closingEvent: (incarnations) => plan.closingEvent(incarnations),
      onImported: (events) => plan.onImported?.(events),
      respond: (outcome) => plan.respond(outcome),
    });
  }

  /** Why the backend cannot serve now, or undefined when it can. */
  unready(): string | undefined {
    return this.host.unready();
  }

  /** Throws BackendUnavailableError while the read models cannot be read (not connected yet, rebuilding, closed). */
  assertReadable(): void {
    const problem = this.host.unready();
    if (problem !== undefined) throw new BackendUnavailableError(problem);
  }

  assertWritable(): void {
    const problem = this.parts.unwritable?.() ?? this.host.unready();
    if (problem !== undefined) throw new BackendUnavailableError(problem);
  }

  /** True once the local read models include the event at `position`; false when `timeoutMs` passes first. */
  projected(position: Position, timeoutMs: number): Promise<boolean> {
    return this.host.reached(position, timeoutMs);
  }

  /** Facts for the readiness report (durability settings, positions, projector lag). */
  describe(): Promise<Record<string, unknown>> {
    return this.host.describe();
  }

  async close(): Promise<void> {
    await this.host.close();
    await this.eventStore.close();
  }
}
