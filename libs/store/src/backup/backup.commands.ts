import {
  BackendUnavailableError, CorruptEventError,
  DuplicateEventIdError, EventStore, formatPosition, ImportConflictError, ImportedEvent, Position, ReadAllFrom, RecordedEvent,
} from '@app/event-store';
import { OnModuleInit } from '@nestjs/common';
import { requireStoreAdmin } from '../namespace/access';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { StoreBackend } from '../runtime/store-backend';
import { Clock } from '../shared/clock';
import { StoreError } from '../shared/errors';
import { validateNamespace } from '../shared/names';
import { RequestMeta } from '../shared/request-meta';
import { CommandContext, eventMetadata, namespaceStream, STORE_WIDE_STREAM, STREAM_PREFIX } from '../shared/store-events';
import { ARCHIVE_FORMAT, ARCHIVE_FORMAT_VERSION, ArchivedEvent, ArchiveHeader, archiveInvalid } from './archive';
import { DEFAULT_RESTORE_LIMITS, FreeSpace, removeOrphanSpools, RestoreLimits, Spool, verifyArchive } from './archive-reader';
import { archiveBytes, gzipped } from './archive-writer';
import { BackupCreated } from '../events/backup-events';
import { decideRestore, restoredEvent } from './backup.decide';
import { forgetPurgedRaw, PurgedKeys } from '../events/forget';

/** How long a backup waits for the read models (the purged keys among them) to reach the log's head. */
const PROJECTED_WAIT_MS = 10_000;

const PAGE = 1000;

export interface BackupArchive {
  readonly header: ArchiveHeader;
  /** The gzip'd archive, produced as it is read. */
  readonly stream: Readable;
}

export interface BackupOptions {
  /** Only these namespaces (each must exist); every namespace when absent. */
  readonly namespaces?: readonly string[];
  readonly onProgress?: (events: number) => void;
}

/** Streams an archive of the log up to its head at the start; StoreBackupCreated is recorded before the trailer. */
export class BackupStore extends Command<BackupArchive> {
  constructor(readonly meta: RequestMeta, readonly options: BackupOptions = {}) {
    super();
  }
}

export interface RestoreResult {
  /** False when the store already held this archive (a repeat): nothing was written. */
  restored: boolean;
  namespaces: string[];
  events: number;
  incarnation: string;
  position: string | null;
}

export interface RestoreOptions {
  /** Compressed bytes read while verifying. */
  readonly onVerifying?: (bytes: number) => void;
  readonly onImported?: (events: number, total: number) => void;
  /** The uncompressed size and free-space bounds (DEFAULT_RESTORE_LIMITS for those not given). */
  readonly limits?: Partial<RestoreLimits>;
  /** How free space is measured (statfs of the data dir unless given). */
  readonly freeBytes?: FreeSpace;
}

/** Verifies the whole archive, then restores it all or nothing with a new store incarnation. */
export class RestoreStore extends Command<RestoreResult> {
  constructor(readonly archive: AsyncIterable<Buffer | Uint8Array | string>, readonly meta: RequestMeta, readonly options: RestoreOptions = {}) {
    super();
  }
}

const contextOf = (meta: RequestMeta, now: Date): CommandContext => ({
  actor: meta.actor, correlationId: meta.correlationId, causationId: meta.causationId, now,
});

@CommandHandler(BackupStore)
export class BackupStoreHandler implements ICommandHandler<BackupStore> {
  constructor(private readonly backend: StoreBackend, private readonly clock: Clock) {}

  async execute({ meta, options }: BackupStore): Promise<BackupArchive> {
    requireStoreAdmin(meta.caller);
    // Namespaces first, then the head: every namespace listed then has its first event within the archive.
    const namespaces = this.scope(options.namespaces);
    const log = this.backend.eventStore;
    const head = await log.headPosition();
    // What the archive forgets is read from the purged keys, which must have seen every purge up to the head.
    if (head && !(await this.backend.projected(head, PROJECTED_WAIT_MS))) {
      throw new BackendUnavailableError('the read models have not reached the head of the log: try the backup again');
    }
    const now = this.clock.now();
    const header: ArchiveHeader = {
      format: ARCHIVE_FORMAT,
      formatVersion: ARCHIVE_FORMAT_VERSION,
      createdAt: now.toISOString(),
      sourceBackend: this.backend.name,
      headPosition: head ? formatPosition(head) : null,
      incarnation: log.incarnation,
      namespaces,
    };
    const bytes = archiveBytes(header, archivedPages(log, head, namespaces, this.backend.purged), {
      onProgress: options.onProgress,
      beforeTrailer: async ({ eventCount, sha256 }) => {
        const event: BackupCreated = { type: 'StoreBackupCreated', data: { namespaces, eventCount, headPosition: header.headPosition, sha256 } };
        const metadata = eventMetadata(contextOf(meta, this.clock.now()));
        await log.append(STORE_WIDE_STREAM, [{ id: randomUUID(), ...event, metadata }], 'any');
      },
    });
    return { header, stream: gzipped(bytes) };
  }

  private scope(requested: readonly string[] | undefined): string[] {
    // Deleted namespaces too: their streams, history included, belong in a backup.
    const existing = this.backend.namespaces.withStreams();
    if (requested === undefined) return existing;
    const wanted = [...new Set(requested.map(validateNamespace))].sort();
    const missing = wanted.filter((n) => !existing.includes(n));
    if (missing.length > 0) {
      throw new StoreError('NAMESPACE_NOT_FOUND', `no namespace ${missing.join(', ')}`, { namespace: missing[0], namespaces: missing });
    }
    return wanted;
  }
}

/** The events of the chosen namespaces up to `head`, in log order, a page at a time. */
async function* archivedPages(
  log: EventStore, head: Position | undefined, namespaces: readonly string[], purged: PurgedKeys,
): AsyncGenerator<ArchivedEvent[]> {
  if (!head || namespaces.length === 0) return;
  const streams = new Set(namespaces.map(namespaceStream));
  let after: ReadAllFrom = 'start';
  for (;;) {
    const page: RecordedEvent[] = await log.readAll({ after, maxCount: PAGE, streamPrefix: STREAM_PREFIX }).catch((error: unknown) => {
      // A damaged event is never carried into an archive: the backup fails, naming it.
      if (!(error instanceof CorruptEventError)) throw error;
      throw new StoreError('LOG_CORRUPTED', `cannot back up: ${error.message}`, { eventId: error.eventId });
    });
    const within = page.filter((e) => e.position.commit <= head.commit);
    yield within.filter((e) => streams.has(e.stream)).map((e) => forgetPurgedRaw({
      stream: e.stream, revision: e.revision, id: e.id, type: e.type,
      data: e.data as Record<string, unknown>, metadata: e.metadata as Record<string, unknown>, timestamp: e.recordedAt,
    }, purged));
    if (page.length < PAGE || within.length < page.length) return;
    after = page[page.length - 1].position;
  }
}

@CommandHandler(RestoreStore)
export class RestoreStoreHandler implements ICommandHandler<RestoreStore>, OnModuleInit {
  constructor(private readonly backend: StoreBackend, private readonly clock: Clock) {}

  /** Spool files of restores killed before spools were unlinked at once are removed at start. */
  onModuleInit(): void {
    removeOrphanSpools(this.backend.scratchDir);
  }

  async execute({ archive, meta, options }: RestoreStore): Promise<RestoreResult> {
    requireStoreAdmin(meta.caller);
    const limits = { ...DEFAULT_RESTORE_LIMITS, ...options.limits };
    const spool = Spool.open(this.backend.scratchDir, limits.minFreeBytes, options.freeBytes);
    try {
      const verified = await verifyArchive(archive, spool, options.onVerifying, limits.maxUncompressedBytes);
      const { type, data: restored } = restoredEvent(verified, { previous: '', next: '' });
      return await this.backend.restore({
        streams: verified.streams,
        events: () => importable(spool.events()),
        decide: (existing) => {
          if (decideRestore(verified.streams, existing) !== 'restore') return 'skip';
          // The import writes about as much as was spooled: refused before anything is written if that does not fit.
          spool.checkFree(spool.bytes);
          return 'import';
        },
        closingEvent: (incarnations) => ({
          stream: STORE_WIDE_STREAM,
          id: randomUUID(),
          type,
          data: { ...restored, previousIncarnation: incarnations.previous, incarnation: incarnations.next },
          metadata: eventMetadata(contextOf(meta, this.clock.now())),
        }),
        onImported: options.onImported && ((n) => options.onImported!(n, verified.trailer.eventCount)),
        respond: ({ imported, incarnation, position }) => ({
          restored: imported,
          namespaces: [...verified.header.namespaces],
          events: verified.trailer.eventCount,
          incarnation,
          position: position ? formatPosition(position) : null,
        }),
      }).catch((error: unknown) => {
        throw restoreRefusal(error);
      });
    } finally {
      spool.close();
    }
  }
}

/** The archive's events as the log imports them: recorded at the archive's time. */
function* importable(batches: Iterable<ArchivedEvent[]>): Generator<ImportedEvent[]> {
  for (const batch of batches) yield batch.map(({ timestamp, ...event }) => ({ ...event, recordedAt: timestamp }));
}

/** An id the import met twice: in the store before the restore (a conflict) or twice in the archive. */
function restoreRefusal(error: unknown): unknown {
  if (error instanceof ImportConflictError) {
    return new StoreError('RESTORE_CONFLICT', `event id ${error.eventId} of the archive is already in the store (stream ${error.stream})`, {
      eventId: error.eventId,
    });
  }
  if (error instanceof DuplicateEventIdError) return archiveInvalid(`event id ${error.eventId} appears twice`, { eventId: error.eventId });
  return error;
}

export const BACKUP_COMMAND_HANDLERS = [BackupStoreHandler, RestoreStoreHandler];
