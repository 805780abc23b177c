import { Command } from 'commander';
import { CommandEnv } from './command-env';
import { parseJson, readInput, UsageError } from './inputs';
import { fields, table } from './output';

/** schema set|get|delete and migrations: value schemas of namespaces, and the store's event migrations. */
export function addSchemaCommands(program: Command, env: () => CommandEnv): void {
  program
    .command('schema')
    .description('a namespace\'s value schema (JSON Schema 2020-12): set FILE ("-" = stdin), get, delete')
    .argument('<action>', 'set, get or delete')
    .argument('<namespace>')
    .argument('[file]', 'with set: the schema, a JSON file')
    .action(async (action: string, namespace: string, file: string | undefined) => {
      const { client, out } = env();
      if (action === 'get') {
        if (file !== undefined) throw new UsageError('schema get takes no file');
        const current = await client.schema(namespace);
        out.result(current, () => `${fields([['sha256', current.sha256], ['set', `${current.setAt} by ${current.setBy}`]])}\n${JSON.stringify(current.schema, null, 2)}`);
        return;
      }
      if (action === 'delete') {
        if (file !== undefined) throw new UsageError('schema delete takes no file');
        await client.removeSchema(namespace);
        out.result({ removed: namespace }, () => `removed the value schema of ${namespace}`);
        return;
      }
      if (action !== 'set') throw new UsageError(`schema takes set, get or delete (got ${JSON.stringify(action)})`);
      if (file === undefined) throw new UsageError('schema set takes the schema file ("-" = stdin)');
      const set = await client.setSchema(namespace, parseJson(readInput(file), file));
      const { items, checked, violating, complete } = set.violations;
      out.result(set, () => [
        `schema ${set.sha256.slice(0, 12)} set on ${namespace}; ${violating} of ${checked}${complete ? '' : '+'} existing entries violate it`,
        ...items.map((v) => `  ${v.key}: ${v.errors.map((e) => `${e.path || '(value)'} ${e.message}`).join('; ')}`),
      ].join('\n'));
    });

  program
    .command('migrations')
    .description('the event-shape migrations this store has recorded')
    .action(async () => {
      const { client, out } = env();
      const migrations = await client.migrations();
      out.result(migrations, () => (migrations.length === 0
        ? 'no migrations recorded: every event of this store has the current shape'
        : table(['id', 'versions', 'applied', 'description'], migrations.map((m) => [m.migrationId, `${m.fromVersion} → ${m.toVersion}`, m.appliedAt, m.description]))));
    });
}
