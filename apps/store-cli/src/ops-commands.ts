import { FeedEvent, HistoryItem } from '@app/client';
import { Command, Option } from 'commander';
import { CommandEnv } from './command-env';
import { UsageError, wholeNumber } from './inputs';
import { cellValue, fields, table } from './output';

/** watch, reload, ttl, history, rollback-point, rollback, snapshot: the operations of the API, through the client. */
export function addOperationCommands(program: Command, env: () => CommandEnv): void {
  program
    .command('watch')
    .description('tail the change feed, one line per event (JSON lines with --json); resumes by itself after drops; Ctrl-C stops')
    .argument('[namespace]', 'only this namespace (else every namespace)')
    .option('-p, --prefix <prefix>', 'only keys starting with this')
    .option('--types <types>', 'only these event types (comma-separated)')
    .addOption(new Option('--from <where>', 'start of the log, or only what comes next').choices(['start', 'now']))
    .option('--after <position>', 'resume after this position')
    .option('--consumer <name>', "resume after this durable consumer's checkpoint")
    .option('--no-values', 'leave values out')
    .action(async (namespace: string | undefined, o) => {
      const { client, out } = env();
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
      try {
        const feed = client.watch({
          namespace, prefix: o.prefix, types: o.types?.split(','), from: o.from, after: o.after, consumer: o.consumer,
          values: o.values, signal: stop.signal,
        });
        for await (const event of feed) out.result(event, () => eventLine(event));
      } catch (error) {
        if (!stop.signal.aborted) throw error;
      } finally {
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
      }
    });

  program
    .command('reload')
    .description("re-apply the service's config file (STORE_CONFIG) and show what changed")
    .action(async () => {
      const { client, out } = env();
      const result = await client.reload();
      out.result(result, () => (result.unchanged ? `config unchanged (sha256 ${result.sha256})` : table(
        ['namespace', 'change', 'defaultTtlSeconds'], result.changes.map((c) => [c.namespace, c.change, c.defaultTtlSeconds ?? '-']),
      )));
    });

  program
    .command('ttl')
    .description('set the time to live of an entry in seconds from now, or "none" to clear it')
    .argument('<namespace>')
    .argument('<key>')
    .argument('<seconds>', 'a whole number of seconds, or none')
    .option('--expected-version <n>', 'only at this version', wholeNumber('--expected-version'))
    .action(async (namespace: string, key: string, seconds: string, o) => {
      if (seconds !== 'none' && !/^[1-9]\d{0,14}$/.test(seconds)) throw new UsageError('<seconds> is a whole number of at least 1, or none');
      const ttl = seconds === 'none' ? null : Number(seconds);
      const { client, out } = env();
      const entry = await client.setTtl(namespace, key, ttl, { expectedVersion: o.expectedVersion });
      out.result(entry, () => `${namespace}/${key}: version ${entry.version}, expires ${entry.expiresAt ?? 'never'}`);
    });

  program
    .command('history')
    .description('every change of an entry, oldest first')
    .argument('<namespace>')
    .argument('<key>')
    .action(async (namespace: string, key: string) => {
      const { client, out } = env();
      const items: HistoryItem[] = [];
      for await (const item of client.history(namespace, key)) items.push(item);
      out.result(items, () => table(['revision', 'type', 'version', 'value', 'actor', 'timestamp'],
        items.map((h) => [h.revision, h.type, h.version, h.value !== undefined || h.valueBase64 !== undefined ? cellValue(h) : '', h.actor, h.timestamp])));
    });

  program
    .command('rollback-point')
    .description('record a rollback point at the current revision of a namespace (--list: show its points)')
    .argument('<namespace>')
    .option('--label <label>', 'a name for the point')
    .option('--stage <stage>', 'the stage it marks (a deployment step, say)')
    .option('--list', 'list the points instead')
    .action(async (namespace: string, o) => {
      const { client, out } = env();
      if (o.list) {
        const points = await client.listRollbackPoints(namespace);
        out.result(points, () => table(['id', 'revision', 'label', 'stage', 'created'], points.map((p) => [p.id, p.revision, p.label, p.stage, p.createdAt])));
        return;
      }
      const point = await client.createRollbackPoint(namespace, { label: o.label, stage: o.stage });
      out.result(point, () => fields([['id', point.id], ['revision', point.revision], ['label', point.label ?? '-'], ['stage', point.stage ?? '-']]));
    });

  program
    .command('rollback')
    .description('bring a namespace back to a rollback point by compensating events (itself undoable)')
    .argument('<namespace>')
    .argument('<point-id>')
    .action(async (namespace: string, pointId: string) => {
      const { client, out } = env();
      const result = await client.rollback(namespace, pointId);
      const { restored, changed, removed } = result.diff;
      out.result(result, () => fields([
        ['restored', restored.join(', ') || '-'], ['changed', changed.join(', ') || '-'], ['removed', removed.join(', ') || '-'],
        ['revision', result.revision], ['undo with', `hexastore rollback ${namespace} ${result.undoPointId}`],
      ]));
    });

  program
    .command('snapshot')
    .description('capture a namespace at its current revision (--list: show its snapshots)')
    .argument('<namespace>')
    .option('--list', 'list the snapshots instead')
    .action(async (namespace: string, o) => {
      const { client, out } = env();
      if (o.list) {
        const snapshots = await client.listSnapshots(namespace);
        out.result(snapshots, () => table(['id', 'revision', 'entries', 'created'], snapshots.map((s) => [s.id, s.revision, s.entryCount, s.createdAt])));
        return;
      }
      const snapshot = await client.createSnapshot(namespace);
      out.result(snapshot, () => fields([['id', snapshot.id], ['revision', snapshot.revision], ['entries', snapshot.entryCount]]));
    });
}

function eventLine(event: FeedEvent): string {
  const subject = event.key === undefined ? event.namespace ?? event.stream : `${event.namespace}/${event.key}`;
  const version = event.version === undefined ? '' : ` v${event.version}`;
  const value = event.value !== undefined || event.valueBase64 !== undefined ? ` ${cellValue(event)}` : '';
  return `${event.position} ${event.type} ${subject}${version}${value}`;
}

