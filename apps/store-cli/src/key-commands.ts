import { Command } from 'commander';
import { CommandEnv } from './command-env';
import { UsageError } from './inputs';
import { table } from './output';

/** keys rotate|list and shred: the data keys of encrypted namespaces, through the service (ids and dates only). */
export function addKeyCommands(program: Command, env: () => CommandEnv): void {
  program
    .command('keys')
    .description('the data keys of an encrypted namespace: rotate (a new key seals new values) or list (ids and dates)')
    .argument('<action>', 'rotate or list')
    .argument('<namespace>')
    .action(async (action: string, namespace: string) => {
      const { client, out } = env();
      if (action === 'rotate') {
        const rotation = await client.rotateKey(namespace);
        out.result(rotation, () => `rotated the data key of ${namespace}: ${rotation.keyId} (was ${rotation.previousKeyId ?? 'none'})`);
        return;
      }
      if (action !== 'list') throw new UsageError(`keys takes rotate or list (got ${JSON.stringify(action)})`);
      const keys = await client.listKeys(namespace);
      out.result(keys, () => (keys.length === 0 ? `${namespace} has no data keys (shredded)` : table(['keyId', 'created'], keys.map((k) => [k.keyId, k.createdAt]))));
    });

  program
    .command('shred')
    .description('destroy the data keys of an encrypted namespace: its values are unreadable for good (410 VALUE_SHREDDED)')
    .argument('<namespace>')
    .option('--yes', 'confirm: this cannot be undone')
    .action(async (namespace: string, o: { yes?: boolean }) => {
      if (!o.yes) throw new UsageError(`shred cannot be undone: run again with --yes to destroy the data keys of ${namespace}`);
      const { client, out } = env();
      const result = await client.shred(namespace);
      out.result(result, () => `shredded ${result.keyIds.length} data key(s) of ${namespace}: its values can no longer be read`);
    });
}
