import type { RebuildResult, RestoreResult } from '@app/store';
import { Command } from 'commander';
import { createWriteStream, WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CommandEnv } from './command-env';
import { LocalFileError, openInput, STDIN, UsageError } from './inputs';
import type * as Offline from './offline';
import { humanBytes, progressBar } from './progress';

const DATA_DIR = ['-d, --data-dir <dir>', 'work offline on this data dir (meant for a stopped service)'] as const;

/** The offline commands load the whole store: only when asked for. */
const offline = (): typeof Offline => require('./offline');

/** backup, restore, rebuild: through the service, or offline on a data dir with the same library code. */
export function addAdminCommands(program: Command, env: () => CommandEnv): void {
  program
    .command('backup')
    .description('write a backup archive (gzip\'d NDJSON) of the store or of some namespaces')
    .requiredOption('-o, --output <file>', 'the archive file ("-" = stdout)')
    .option('-n, --namespace <name...>', 'only these namespaces')
    .option(...DATA_DIR)
    .action(async (o: { output: string; namespace?: string[]; dataDir?: string }) => {
      const { client, out, progress } = env();
      // The file first: a place that cannot be written is found before the store is asked for anything.
      const file = await openOutput(o.output);
      if (o.dataDir !== undefined) {
        const done = await offline().backupOffline(o.dataDir, o.namespace, progress, (archive) => save(archive, file))
          .catch(async (error: unknown) => {
            await file.discard();
            throw error;
          });
        out.result({ file: o.output, ...done },
          () => `backed up ${done.events} events of ${done.namespaces.join(', ') || 'no namespaces'} to ${o.output} (${humanBytes(done.bytes)})`, summaryStream(o.output));
        return;
      }
      const bar = progressBar(progress, 'backup', 'bytes');
      const download = await client.backup({ namespaces: o.namespace }).catch(async (error: unknown) => {
        await file.discard();
        throw error;
      });
      const bytes = await save(download.body, file, (n) => bar.update(n)).finally(() => bar.stop());
      const which = o.namespace === undefined ? 'every namespace' : `${o.namespace.length === 1 ? 'namespace' : 'namespaces'} ${[...new Set(o.namespace)].join(', ')}`;
      out.result({ file: o.output, bytes, ...(o.namespace && { namespaces: [...new Set(o.namespace)] }) },
        () => `backed up ${which} to ${o.output} (${humanBytes(bytes)})`, summaryStream(o.output));
    });

  program
    .command('restore')
    .description('restore FILE: a backup archive ("-" = stdin) into a store that has none of its namespaces; '
      + 'restore NAMESPACE KEY: bring a deleted entry back with its last value')
    .argument('<file|namespace>')
    .argument('[key]', 'with a namespace: the deleted entry to restore')
    .option(...DATA_DIR)
    .action(async (file: string, key: string | undefined, o: { dataDir?: string }) => {
      const { client, out, progress } = env();
      if (key !== undefined) {
        if (o.dataDir !== undefined) throw new UsageError('an entry is restored through the service: --data-dir restores archives only');
        const entry = await client.restoreEntry(file, key);
        out.result(entry, () => `restored ${file}/${key}: version ${entry.version}, revision ${entry.revision}`);
        return;
      }
      const input = await openInput(file);
      const upload = progressBar(progress, o.dataDir === undefined ? 'upload' : 'verify', 'bytes', input.size);
      const archive = counted(input.stream, (n) => upload.update(n));
      const result: RestoreResult = o.dataDir !== undefined
        ? await offline().restoreOffline(o.dataDir, archive, upload, progress)
        : await client.restore(archive).finally(() => upload.stop());
      out.result(result, () => result.restored
        ? `restored ${result.events} events of ${result.namespaces.join(', ') || 'no namespaces'}; new incarnation ${result.incarnation}`
        : `already restored: the store holds this archive (${result.events} events); nothing written`);
    });

  program
    .command('rebuild')
    .description('drop the read models and replay the whole log')
    .option(...DATA_DIR)
    .action(async (o: { dataDir?: string }) => {
      const { client, out, progress } = env();
      let result: RebuildResult;
      if (o.dataDir !== undefined) {
        result = await offline().rebuildOffline(o.dataDir, progress);
      } else {
        // The service rebuilds in one transaction and answers at the end: the bar shows the wait.
        const head = Number((await client.ready()).info?.store?.head ?? 0);
        const bar = progressBar(progress, 'rebuild', 'events', head);
        try {
          result = await client.rebuild();
          bar.setTotal(result.events);
          bar.update(result.events);
        } finally {
          bar.stop();
        }
      }
      out.result(result, () => `rebuilt the read models from ${result.events} events in ${result.millis} ms`);
    });
}

/** With the archive on stdout, the summary goes to stderr. */
const summaryStream = (file: string) => (file === STDIN ? process.stderr : process.stdout);

async function* counted<T extends Uint8Array>(source: AsyncIterable<T>, onBytes: (total: number) => void): AsyncGenerator<T> {
  let total = 0;
  for await (const chunk of source) {
    onBytes((total += chunk.length));
    yield chunk;
  }
}

/** Where a backup goes: stdout, or a `.partial` file beside the target, renamed once complete. */
interface Output {
  readonly name: string;
  readonly stream: NodeJS.WritableStream;
  /** Removes the partial file of a backup that failed. */
  discard(): Promise<void>;
  /** Renames the partial file to the target. */
  complete(): Promise<void>;
}

const cannotWrite = (file: string, error: unknown) =>
  new LocalFileError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);

/** Opens the output, so a missing directory or a read-only place is a local file error (exit 2), found at once. */
async function openOutput(file: string): Promise<Output> {
  if (file === STDIN) return { name: file, stream: process.stdout, discard: async () => undefined, complete: async () => undefined };
  const partial = `${file}.partial`;
  const stream: WriteStream = createWriteStream(partial);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (error) => reject(cannotWrite(file, error)));
  });
  return {
    name: file,
    stream,
    discard: async () => {
      stream.destroy();
      await rm(partial, { force: true });
    },
    complete: async () => {
      try {
        await rename(partial, file);
      } catch (error) {
        throw cannotWrite(file, error);
      }
    },
  };
}

/** Writes the archive to the output; a failed backup leaves no file that looks whole. */
async function save(archive: AsyncIterable<Uint8Array>, output: Output, onBytes?: (bytes: number) => void): Promise<number> {
  let bytes = 0;
  let writeError: unknown;
  let readError: unknown;
  output.stream.once('error', (error) => (writeError = error));
  const source = counted(remembering(archive, (error) => (readError = error)), (n) => {
    bytes = n;
    onBytes?.(n);
  });
  try {
    await pipeline(source, output.stream, { end: output.name !== STDIN });
    await output.complete();
  } catch (error) {
    await output.discard();
    // The pipeline hands a failed download's error to the file stream too: it is the store's, not the file's.
    if (readError !== undefined) throw readError;
    throw writeError !== undefined && error === writeError ? cannotWrite(output.name, error) : error;
  }
  return bytes;
}

/** The archive as it arrives, telling `onError` when reading it fails. */
async function* remembering(archive: AsyncIterable<Uint8Array>, onError: (error: unknown) => void): AsyncGenerator<Uint8Array> {
  try {
    yield* archive;
  } catch (error) {
    onError(error);
    throw error;
  }
}
