import { Command } from 'commander';
import { CommandEnv, CommandExit } from './command-env';
import { fields, table } from './output';
import { UsageError } from './inputs';
import type { Quota } from '@app/client';

/** A limit option: a whole number, or `none` to clear it (commander cannot hold a null option value). */
const limit = (option: string) => (text: string): number | 'none' => {
  if (text === 'none') return 'none';
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`${option} is a whole number >= 0 or none (got ${JSON.stringify(text)})`);
  return Number(text);
};

const quotaText = (q: Quota) =>
  `entries ${q.usedEntries}/${q.maxEntries ?? '-'}, bytes ${q.usedBytes}/${q.maxBytes ?? '-'}`;
const tagsText = (tags: Record<string, string>) => Object.entries(tags).map(([t, c]) => `${t} ${c}`).join(', ') || '-';

/** `root` and what it depends on, one namespace a line, indented under the namespace that depends on it. */
export function drawTree(root: string, direct: ReadonlyMap<string, readonly string[]>): string {
  const lines = [root];
  const walk = (node: string, indent: string, path: Set<string>) => {
    const children = direct.get(node) ?? [];
    children.forEach((child, i) => {
      const last = i === children.length - 1;
      lines.push(`${indent}${last ? '└── ' : '├── '}${child}${path.has(child) ? ' (cycle)' : ''}`);
      if (!path.has(child)) walk(child, `${indent}${last ? '    ' : '│   '}`, new Set([...path, child]));
    });
  };
  walk(root, '', new Set([root]));
  return lines.join('\n');
}

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
    .option('--encrypted', 'seal its values under its own data keys (the service needs STORE_MASTER_KEY_FILE)')
    .action(async (name: string, o: { encrypted?: boolean }) => {
      const { client, out } = env();
      const result = await client.createNamespace(name, o.encrypted ? { encrypted: true } : {});
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
        ['name', ns.name], ['entries', ns.entryCount], ['bytes', ns.bytes], ['revision', ns.revision],
        ['quota', quotaText(ns.quota)], ['tags', tagsText(ns.tags)], ['dependsOn', ns.dependsOn.join(', ') || '-'], ['encrypted', ns.encrypted ? 'yes' : 'no'],
        ['createdAt', ns.createdAt], ['updatedAt', ns.updatedAt],
      ]));
    });
  namespace
    .command('delete')
    .description('delete a namespace: its entries leave reads and lists, its history stays, the name can be used again')
    .argument('<name>')
    .action(async (name: string) => {
      const { client, out } = env();
      await client.deleteNamespace(name);
      out.result({ deleted: name }, () => `deleted namespace ${name}`);
    });

  program
    .command('quota')
    .description('show a namespace\'s quota and use, or set its limits (`none` clears one)')
    .argument('<namespace>')
    .option('--max-entries <n>', 'most live entries, or none', limit('--max-entries'))
    .option('--max-bytes <n>', 'most key and value bytes, or none', limit('--max-bytes'))
    .action(async (name: string, o: { maxEntries?: number | 'none'; maxBytes?: number | 'none' }) => {
      const { client, out } = env();
      const given = (v: number | 'none' | undefined) => (v === 'none' ? null : v);
      const ns = o.maxEntries === undefined && o.maxBytes === undefined
        ? await client.getNamespace(name)
        : await client.setQuota(name, { maxEntries: given(o.maxEntries), maxBytes: given(o.maxBytes) });
      out.result(ns.quota, () => fields([
        ['entries', `${ns.quota.usedEntries} of ${ns.quota.maxEntries ?? 'no limit'}`],
        ['bytes', `${ns.quota.usedBytes} of ${ns.quota.maxBytes ?? 'no limit'}`],
      ]));
    });

  program
    .command('tag')
    .description('list a namespace\'s tags, tag it with a colour (#rrggbb), or remove a tag (--remove)')
    .argument('<namespace>')
    .argument('[tag]')
    .argument('[color]', 'the colour, #rrggbb')
    .option('--remove', 'remove the tag')
    .action(async (name: string, tag: string | undefined, color: string | undefined, o: { remove?: boolean }) => {
      const { client, out } = env();
      if (o.remove) {
        if (tag === undefined || color !== undefined) throw new UsageError('--remove takes a tag and no colour');
        await client.removeTag(name, tag);
        out.result({ removed: tag }, () => `removed tag ${tag} from ${name}`);
        return;
      }
      if (tag !== undefined && color === undefined) throw new UsageError(`give the colour of tag ${tag} (#rrggbb), or --remove`);
      const tags = tag === undefined ? await client.tags(name) : await client.setTag(name, tag, color!);
      out.result(tags, () => table(['tag', 'color'], Object.entries(tags)));
    });

  program
    .command('deps')
    .description('what a namespace depends on (resolved: dependencies first); --add / --remove change it')
    .argument('<namespace>')
    .option('--tree', 'draw the dependencies as a tree')
    .option('--add <other>', 'depend on this namespace (a cycle is refused, named)')
    .option('--remove <other>', 'no longer depend on this namespace')
    .action(async (name: string, o: { tree?: boolean; add?: string; remove?: string }) => {
      const { client, out } = env();
      if (o.add !== undefined) await client.addDependency(name, o.add);
      if (o.remove !== undefined) await client.removeDependency(name, o.remove);
      const deps = await client.dependencies(name);
      if (!o.tree) {
        out.result(deps, () => fields([['direct', deps.direct.join(', ') || '-'], ['resolved', deps.resolved.join(', ') || '-']]));
        return;
      }
      const direct = new Map<string, string[]>([[name, deps.direct]]);
      for (const other of deps.resolved) direct.set(other, (await client.dependencies(other)).direct);
      out.result({ ...deps, tree: Object.fromEntries(direct) }, () => drawTree(name, direct));
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
