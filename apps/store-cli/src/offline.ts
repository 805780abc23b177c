import {
  BackupStore, createStoreContext, DATA_FILE, DEFAULT_LIMITS, RebuildReadModels, RebuildResult, RequestMeta, RestoreResult, RestoreStore,
  namespaceStream, SqliteStoreBackend, StoreContext,
} from '@app/store';
import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './inputs';
import { Progress, progressBar } from './progress';

/**
 * backup, restore and rebuild straight on a data dir: the store's own command handlers, as the
 * service runs them, without the service (meant for a stopped one). This module is loaded only for them.
 */
async function onDataDir<T>(dir: string, mustExist: boolean, work: (store: StoreContext) => Promise<T>): Promise<T> {
  if (mustExist && !existsSync(join(dir, DATA_FILE))) throw new UsageError(`there is no store in ${dir} (no ${DATA_FILE})`);
  const store = await createStoreContext({ openBackend: () => new SqliteStoreBackend(dir), limits: DEFAULT_LIMITS });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Offline commands are recorded as done by the local user. */
function offlineMeta(): RequestMeta {
  const id = randomUUID();
  return { actor: `cli:${userInfo().username}`, correlationId: id, causationId: id };
}

export interface OfflineBackup {
  readonly namespaces: readonly string[];
  readonly headPosition: string | null;
  readonly events: number;
  readonly bytes: number;
}

export function backupOffline(
  dir: string,
  namespaces: readonly string[] | undefined,
  progress: boolean,
  save: (archive: AsyncIterable<Uint8Array>) => Promise<number>,
): Promise<OfflineBackup> {
  return onDataDir(dir, true, async (store) => {
    let bar: Progress | undefined;
    let events = 0;
    const { header, stream } = await store.commands.execute(new BackupStore(offlineMeta(), {
      namespaces,
      onProgress: (n) => bar?.update((events = n)),
    }));
    // The archive holds every event of its namespaces' streams (nothing else writes to a stopped
    // store): that count is the bar's total, not the head of the whole log.
    bar = progressBar(progress, 'backup', 'events', await archivedEvents(store, header.namespaces));
    const bytes = await save(stream).finally(() => bar!.stop());
    return { namespaces: header.namespaces, headPosition: header.headPosition, events, bytes };
  });
}

/** Events in the streams of these namespaces: stream revisions count from 0. */
async function archivedEvents(store: StoreContext, namespaces: readonly string[]): Promise<number> {
  let total = 0;
  for (const name of namespaces) total += ((await store.backend.eventStore.streamRevision(namespaceStream(name))) ?? -1) + 1;
  return total;
}

export async function restoreOffline(dir: string, archive: AsyncIterable<Buffer>, upload: Progress, progress: boolean): Promise<RestoreResult> {
  const created = { dir: !existsSync(dir), store: !existsSync(join(dir, DATA_FILE)) };
  try {
    return await importInto(dir, archive, upload, progress);
  } catch (error) {
    // A refused restore into a new data dir leaves nothing behind, not an empty store.
    if (created.dir) rmSync(dir, { recursive: true, force: true });
    else if (created.store) for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir, DATA_FILE + suffix), { force: true });
    throw error;
  }
}

function importInto(dir: string, archive: AsyncIterable<Buffer>, upload: Progress, progress: boolean): Promise<RestoreResult> {
  return onDataDir(dir, false, async (store) => {
    let importing: Progress | undefined;
    try {
      return await store.commands.execute(new RestoreStore(archive, offlineMeta(), {
        onImported: (n, total) => {
          if (!importing) {
            upload.stop();
            importing = progressBar(progress, 'import', 'events', total);
          }
          importing.update(n);
        },
      }));
    } finally {
      upload.stop();
      importing?.stop();
    }
  });
}

export function rebuildOffline(dir: string, progress: boolean): Promise<RebuildResult> {
  return onDataDir(dir, true, async (store) => {
    let bar: Progress | undefined;
    try {
      return await store.commands.execute(new RebuildReadModels((done, total) => {
        (bar ??= progressBar(progress, 'rebuild', 'events', total)).update(done);
      }));
    } finally {
      bar?.stop();
    }
  });
}
