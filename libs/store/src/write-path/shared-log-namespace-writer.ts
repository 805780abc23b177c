import { BackendUnavailableError, ConcurrencyError, EventStore, formatPosition, ProjectionWatch } from '@app/event-store';
import { randomUUID } from 'node:crypto';
import { EntriesReadModel } from '../entries/entries.read-model';
import { keyReused } from '../idempotency/idempotency';
import { IDEMPOTENCY_STREAM, IdempotencyEntry, IdempotencyLog, idempotencyMetadata, requestAnswered } from '../idempotency/idempotency-log';
import { NamespaceState } from '../namespaces/namespace';
import { NamespacesReadModel } from '../namespaces/namespaces.read-model';
import { StoreError } from '../shared/errors';
import { eventMetadata, namespaceStream } from '../shared/store-events';
import { loadNamespaceState } from './load-state';
import { NamespaceWriter, WriteRequest } from './namespace-writer';

/** What the writer needs of a replica: the shared log, its local read models and their projector. */
export interface SharedLogReplica {
  readonly log: EventStore;
  readonly entries: EntriesReadModel;
  readonly namespaces: NamespacesReadModel;
  readonly idempotency: IdempotencyLog;
  readonly watch: ProjectionWatch;
  /** Throws BackendUnavailableError while this replica cannot write (not connected, rebuilding, not following the log). */
  assertWritable(): void;
}

export interface SharedLogWriterOptions {
  /** How long one write may wait for the local read models: to catch up before deciding, and to project its events. */
  readonly timeoutMs: number;
  /** Appends tried before a namespace that keeps changing is given up. */
  readonly attempts?: number;
}

/**
 * The write path on a log that other replicas append to. A write is decided on the local read
 * models and appended with the namespace revision they were at: an append that succeeds was decided
 * on exactly the stream's state. A conflict means the replica is behind: it waits until it has
 * projected the stream's actual revision, and decides again. A refusal or a no-op is only answered
 * once the log confirms the replica was not behind. The answer is computed right after the write's
 * own events are projected (inside the projector's transaction), so it shows the write and nothing
 * later, and a read on this replica after the answer sees the write. Writes to one namespace are
 * queued per replica, so only other replicas' appends can conflict.
 */
export class SharedLogNamespaceWriter extends NamespaceWriter {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly replica: SharedLogReplica, private readonly options: SharedLogWriterOptions) {
    super();
  }

  async write<R>(request: WriteRequest<R>): Promise<R> {
    this.replica.assertWritable();
    return this.queued(request.namespace, () => this.decideAndAppend(request, Date.now() + this.options.timeoutMs));
  }

  private async decideAndAppend<R>(request: WriteRequest<R>, deadline: number): Promise<R> {
    const { entries, namespaces, idempotency, watch, log } = this.replica;
    const attempts = this.options.attempts ?? 8;
    for (let attempt = 1; ; attempt++) {
      const before = loadNamespaceState(namespaces, entries, request);
      const prior = request.idempotency && idempotency.get(request.idempotency.key);
      if (prior) return this.answerRetry(request, prior, deadline);
      let decided;
      try {
        decided = request.decide(before);
      } catch (error) {
        if (error instanceof StoreError && (await this.wasBehind(before, deadline))) continue;
        throw error;
      }
      if (decided.length === 0) {
        if (await this.wasBehind(before, deadline)) continue;
        return this.answered(request, request.respond({ events: [], before }));
      }
      const metadata = { ...eventMetadata(request.context), ...(request.idempotency && idempotencyMetadata(request.idempotency)) };
      const events = decided.map((e) => ({ id: randomUUID(), type: e.type, data: e.data, metadata }));
      let at = 'unknown';
      const projected = watch.expect(
        events.map((e) => e.id),
        (recorded) => request.respond({ events: recorded, before }),
        deadline - Date.now(),
        () => new StoreError('READ_TIMEOUT', `the write was recorded at position ${at}, but this replica has not projected it in time`, { position: at }),
      );
      try {
        at = formatPosition((await log.append(namespaceStream(request.namespace), events, before.revision ?? 'no_stream')).position);
      } catch (error) {
        projected.cancel();
        if (!(error instanceof ConcurrencyError)) throw error;
        if (attempt === attempts) {
          throw new BackendUnavailableError(`namespace ${request.namespace} kept changing during ${attempts} attempts; nothing was written`);
        }
        await this.catchUpTo(request.namespace, error.actual, deadline);
        continue;
      }
      return this.answered(request, await projected.result);
    }
  }

  /** A retry of a request that was written: its recorded answer, once it arrives. */
  private async answerRetry<R>(request: WriteRequest<R>, prior: IdempotencyEntry, deadline: number): Promise<R> {
    const claim = request.idempotency!;
    if (prior.fingerprint !== claim.fingerprint) throw keyReused(claim);
    const answer = () => this.replica.idempotency.get(claim.key);
    if (prior.answered || (await this.replica.watch.until(() => answer()?.answered === true, deadline - Date.now()))) {
      return answer()!.response as R;
    }
    // The writer of the first attempt stopped before recording its answer: answer from its events,
    // on the read models as they are now, and record that answer for every later retry.
    const { stream, firstRevision, lastRevision } = prior.written!;
    const events = await this.replica.log.readStream(stream, firstRevision, lastRevision - firstRevision + 1);
    const before = loadNamespaceState(this.replica.namespaces, this.replica.entries, request);
    return this.answered(request, request.respond({ events, before }));
  }

  private async answered<R>(request: WriteRequest<R>, response: R): Promise<R> {
    if (request.idempotency) {
      await this.replica.log.append(IDEMPOTENCY_STREAM, [requestAnswered(request.idempotency, response, eventMetadata(request.context))], 'any');
    }
    return response;
  }

  /** Whether the log holds more of the namespace than `state` was decided on; if so, waits until it is projected. */
  private async wasBehind(state: NamespaceState, deadline: number): Promise<boolean> {
    const actual = await this.replica.log.streamRevision(namespaceStream(state.name));
    if (actual === undefined || actual <= (state.revision ?? -1)) return false;
    await this.catchUpTo(state.name, actual, deadline);
    return true;
  }

  private async catchUpTo(namespace: string, revision: number | 'no_stream', deadline: number): Promise<void> {
    if (revision === 'no_stream') return;
    const projected = () => (this.replica.namespaces.get(namespace)?.revision ?? -1) >= revision;
    if (!(await this.replica.watch.until(projected, deadline - Date.now()))) {
      throw new StoreError('READ_TIMEOUT', `this replica did not catch up with namespace ${namespace} in time; nothing was written`, {
        namespace, revision,
      });
    }
  }

  private queued<R>(namespace: string, work: () => Promise<R>): Promise<R> {
    const result = (this.queues.get(namespace) ?? Promise.resolve()).then(work);
    const tail = result.catch(() => undefined);
    this.queues.set(namespace, tail);
    void tail.then(() => this.queues.get(namespace) === tail && this.queues.delete(namespace));
    return result;
  }
}
