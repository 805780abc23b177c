import { Command } from 'commander';
import { CommandEnv, CommandExit } from './command-env';
import { fields, table } from './output';

/** purge, namespace create/show, consumers, status: the rest of the API, through the client. */
export function addApiCommands(program: Command, env: () => CommandEnv): void {
  program
    .command('purge')
    .description('make a delete final (a live entry is deleted and purged in one append)')
    .argument('<namespace>')
    .argument('<key>')
    .action(async (namespace: string, key: string) => {
      const { client, out } = env();
      const result = await client.purgeEntry(namespace, key);
      out.result(result, () => `purged ${namespace}/${key}: revision ${result.revision}`);
    });

  const namespace = program
    .command('namespace')
    .alias('ns')
    .description('create a namespace, or show one (`ls` lists them)');
  namespace
    .command('create')
    .description('create a namespace (a no-op when it exists)')
    .argument('<name>')
    .action(async (name: string) => {
      const { client, out } = env();
      const result = await client.createNamespace(name);
      out.result(result, () => `${result.created ? 'created' : 'already there:'} namespace ${result.name}`);
    });
  namespace
    .command('show')
    .description('a namespace: its entries, bytes and revision')
    .argument('<name>')
    .action(async (name: string) => {
      const { client, out } = env();
      const ns = await client.getNamespace(name);
      out.result(ns, () => fields([
        ['name', ns.name], ['entries', ns.entryCount], ['bytes', ns.bytes], ['revision', ns.revision], ['createdAt', ns.createdAt], ['updatedAt', ns.updatedAt],
      ]));
    });

  program
    .command('consumers')
    .description('every read-model projector and durable consumer with its lag, or one consumer\'s checkpoint')
    .argument('[name]', 'show this consumer')
    .action(async (name: string | undefined) => {
      const { client, out } = env();
      if (name !== undefined) {
        const consumer = await client.getConsumer(name);
        out.result(consumer, () => fields([
          ['name', consumer.name], ['position', consumer.position], ['checkpointedAt', consumer.checkpointedAt], ['checkpoints', consumer.checkpoints],
        ]));
        return;
      }
      const replicas = await client.replicas();
      out.result(replicas, () => table(['id', 'kind', 'status', 'position', 'lag events', 'lag s', 'last synced'],
        replicas.map((r) => [r.id, r.kind, r.status, r.position, `${r.lagEvents}${r.lagCapped ? '+' : ''}`, r.lagSeconds, r.lastSyncedAt])));
    });

  program
    .command('status')
    .alias('health')
    .description('the service\'s readiness report; exits 3 when it is not ready')
    .action(async () => {
      const { client, out } = env();
      const report = await client.ready();
      const store = report.info?.store ?? report.error?.store ?? {};
      out.result(report, () => `${report.status === 'ok' ? 'ready' : 'not ready'}\n${fields(Object.entries(store).map(([k, v]) => [k, v]))}`);
      if (report.status !== 'ok') throw new CommandExit(3);
    });
}
