import type { RebuildResult, RestoreResult } from '@app/store';
import { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CommandEnv } from './command-env';
import { openInput, STDIN } from './inputs';
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
      if (o.dataDir !== undefined) {
        const done = await offline().backupOffline(o.dataDir, o.namespace, progress, (archive) => save(archive, o.output));
        out.result({ file: o.output, ...done },
          () => `backed up ${done.events} events of ${done.namespaces.join(', ') || 'no namespaces'} to ${o.output} (${humanBytes(done.bytes)})`, summaryStream(o.output));
        return;
      }
      const bar = progressBar(progress, 'backup', 'bytes');
      const download = await client.backup({ namespaces: o.namespace });
      const bytes = await save(download.body, o.output, (n) => bar.update(n)).finally(() => bar.stop());
      out.result({ file: o.output, bytes }, () => `backed up the store to ${o.output} (${humanBytes(bytes)})`, summaryStream(o.output));
    });

  program
    .command('restore')
    .description('restore a backup archive ("-" = stdin) into a store that has none of its namespaces')
    .argument('<file>')
    .option(...DATA_DIR)
    .action(async (file: string, o: { dataDir?: string }) => {
      const { client, out, progress } = env();
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

/** Writes beside the target and renames at the end, so a failed backup leaves no file that looks whole. */
async function save(archive: AsyncIterable<Uint8Array>, file: string, onBytes?: (bytes: number) => void): Promise<number> {
  let bytes = 0;
  const source = counted(archive, (n) => {
    bytes = n;
    onBytes?.(n);
  });
  try {
    if (file === STDIN) {
      await pipeline(source, process.stdout, { end: false });
    } else {
      await pipeline(source, createWriteStream(`${file}.partial`));
      await rename(`${file}.partial`, file);
    }
  } catch (error) {
    if (file !== STDIN) await rm(`${file}.partial`, { force: true });
    throw error;
  }
  return bytes;
}
