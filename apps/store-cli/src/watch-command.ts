import { FeedEvent, StoreClient } from '@app/client';
import { Command, Option } from 'commander';
import { CommandEnv } from './command-env';
import { UsageError, wholeNumber } from './inputs';
import { cellValue } from './output';

/** A consumer's checkpoint is saved at most this often while watching (and once more at the end), by default. */
const CHECKPOINT_EVERY_SECONDS = 5;

/** watch: tails the change feed, one line per event, resuming after dropped connections; Ctrl-C ends it (exit 0). */
export function addWatchCommand(program: Command, env: () => CommandEnv): void {
  program
    .command('watch')
    .description('tail the change feed (of one namespace, or all): one line per event; resumes after drops; Ctrl-C stops')
    .argument('[namespace]', 'only this namespace')
    .option('-p, --prefix <prefix>', 'only keys starting with this')
    .option('-t, --types <types>', 'only these event types, comma separated (StoreEntryCreated,StoreEntryDeleted)')
    .addOption(new Option('--from <where>', 'start of the log, or what comes from now on').choices(['start', 'now']))
    .option('--after <position>', 'start after this position (the last one you saw)')
    .option('--consumer <name>', "resume after this durable consumer's checkpoint and keep it saved as events are printed")
    .option('--checkpoint-every <seconds>', `with --consumer: save the checkpoint at most this often, when it moved (default ${CHECKPOINT_EVERY_SECONDS})`, wholeNumber('--checkpoint-every', 1))
    .option('--no-values', 'leave values out')
    .option('--max-retries <n>', 'give up after this many failed reconnects in a row (default: never)', wholeNumber('--max-retries'))
    .action(async (namespace: string | undefined, o: WatchFlags) => {
      if (o.after !== undefined && (o.from !== undefined || o.consumer !== undefined)) throw new UsageError('--after starts the watch on its own: leave out --from and --consumer');
      if (o.checkpointEvery !== undefined && o.consumer === undefined) throw new UsageError('--checkpoint-every needs --consumer');
      const { client, out } = env();
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const checkpoint = o.consumer === undefined ? undefined : new Checkpointer(client, o.consumer, (o.checkpointEvery ?? CHECKPOINT_EVERY_SECONDS) * 1000);
      const watch = client.watch({
        namespace,
        prefix: o.prefix,
        types: o.types?.split(',').map((t) => t.trim()).filter(Boolean),
        after: o.after,
        from: o.from ?? (o.consumer === undefined ? undefined : 'now'),
        consumer: o.consumer,
        values: o.values,
        signal: stop.signal,
        reconnect: { maxAttempts: o.maxRetries },
        onReconnect: ({ delayMs, after, error }) => process.stderr.write(
          `hexastore: ${error ? `connection lost (${(error as Error).message})` : 'the service closed the stream'}; `
          + `resuming ${after ? `after ${after}` : 'from the start point'} in ${delayMs} ms\n`),
      });
      try {
        for await (const event of watch) {
          process.stdout.write(out.json ? `${JSON.stringify(event)}\n` : `${line(event)}\n`);
          checkpoint?.reached(event);
        }
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await checkpoint?.flush();
      }
    });
}

interface WatchFlags {
  prefix?: string;
  types?: string;
  from?: 'start' | 'now';
  after?: string;
  consumer?: string;
  checkpointEvery?: number;
  values: boolean;
  maxRetries?: number;
}

/** `<position> <type> <namespace>/<key> v<version> <value>`, the parts the event has. */
function line(event: FeedEvent): string {
  const where = event.namespace === undefined ? event.stream : event.key === undefined ? event.namespace : `${event.namespace}/${event.key}`;
  const parts = [event.position, event.type, where];
  if (event.version !== undefined) parts.push(`v${event.version}`);
  if (event.value !== undefined || event.valueBase64 !== undefined) parts.push(cellValue(event as { value?: string; valueBase64?: string }, 60));
  return parts.join(' ');
}

/**
 * Saves the consumer's checkpoint when it moved, at most once per interval, and at the end: an idle
 * watcher writes nothing (as Kafka consumers and EventStoreDB persistent subscriptions checkpoint
 * periodically, not per event). Checkpoint events (the feed leaves them out unless --types asks
 * for them) never move it, or each save would call for the next.
 */
class Checkpointer {
  private pending: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<unknown> = Promise.resolve();

  constructor(private readonly client: StoreClient, private readonly consumer: string, private readonly everyMs: number) {}

  reached(event: FeedEvent): void {
    if (event.type === 'StoreConsumerCheckpointed') return;
    this.pending = event.position;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.save().catch((error: Error) => process.stderr.write(`hexastore: the checkpoint of ${this.consumer} was not saved (${error.message}); trying again later\n`));
    }, this.everyMs);
  }

  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.save();
  }

  /** A failed save keeps its position pending for the next one, unless a later one came meanwhile. */
  private save(): Promise<unknown> {
    const position = this.pending;
    if (position === undefined) return this.saving;
    this.pending = undefined;
    this.saving = this.saving.catch(() => undefined).then(() => this.client.saveCheckpoint(this.consumer, position)).catch((error: unknown) => {
      this.pending ??= position;
      throw error;
    });
    return this.saving;
  }
}
