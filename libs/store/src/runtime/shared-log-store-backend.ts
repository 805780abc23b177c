import { ConnectingEventStore, EventStore, FollowingReadModels } from '@app/event-store';
import { Logger } from '@nestjs/common';
import { join } from 'node:path';
import { STREAM_PREFIX } from '../shared/store-events';
import { STORE_PROJECTIONS } from './read-models';
import { StoreBackend } from './store-backend';

export const READ_MODELS_FILE = 'read-models.db';

export interface SharedLogBackendOptions {
  readonly name: string;
  readonly dataDir: string;
  /** Opens the shared log; retried in the background until it opens. */
  readonly open: () => Promise<EventStore>;
  /** How long a write may wait for this replica's read models. */
  readonly writeTimeoutMs: number;
  /** First and longest wait between attempts to connect or to follow the log again. */
  readonly retryMs?: { readonly first: number; readonly max: number };
}

/**
 * A replica on a log shared with other replicas (EventStoreDB): read models in a local SQLite file,
 * followed by subscription. It starts while the log is unreachable, answers BackendUnavailableError
 * until it connects, and reconnects by itself. Writes are queued per namespace, so only other
 * replicas' appends can conflict.
 */
export class SharedLogStoreBackend extends StoreBackend {
  constructor(options: SharedLogBackendOptions) {
    const logger = new Logger(`${options.name}-replica`);
    const retryMs = options.retryMs ?? { first: 250, max: 5000 };
    const log = new ConnectingEventStore(options.open, {
      firstRetryMs: retryMs.first,
      maxRetryMs: retryMs.max,
      onFailure: (error, attempt, retryInMs) =>
        logger.warn({ msg: 'cannot open the event log; retrying', attempt, retryInMs, error: error instanceof Error ? error.message : String(error) }),
    });
    const readModels = new FollowingReadModels({
      file: join(options.dataDir, READ_MODELS_FILE),
      projections: STORE_PROJECTIONS,
      log,
      streamPrefix: STREAM_PREFIX,
      retryMs,
      report: (level, entry) => logger[level](entry),
    });
    super({
      name: options.name,
      log,
      readModels,
      scratchDir: options.dataDir,
      writer: { timeoutMs: options.writeTimeoutMs, queuePerNamespace: true },
      unwritable: () => readModels.unwritable(),
    });
  }

  override async describe(): Promise<Record<string, unknown>> {
    return { readModels: READ_MODELS_FILE, ...(await super.describe()) };
  }
}
