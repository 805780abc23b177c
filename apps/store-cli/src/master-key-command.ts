import { Command } from 'commander';
import { CommandEnv } from './command-env';
import type * as Offline from './master-key-offline';

/** master-key rotate: re-wraps the key vault's data keys with a new master key, offline; nothing else is re-encrypted. */
export function addMasterKeyCommand(program: Command, env: () => CommandEnv): void {
  program
    .command('master-key')
    .description('manage the master key that wraps the data keys (offline, on the data dir of a stopped service)')
    .command('rotate')
    .description('re-wrap every data key of the key vault with a new master key; then start the service with the new key file')
    .requiredOption('-d, --data-dir <dir>', 'the data dir (meant for a stopped service)')
    .requiredOption('--key-file <file>', 'the current master key file')
    .requiredOption('--new-key-file <file>', 'the new master key file (openssl rand -base64 32 > new.key)')
    .action((o: { dataDir: string; keyFile: string; newKeyFile: string }) => {
      const { out } = env();
      const dataKeys = (require('./master-key-offline') as typeof Offline).rotateMasterKey(o.dataDir, o.keyFile, o.newKeyFile);
      out.result({ dataKeys }, () => `re-wrapped ${dataKeys} data keys with the master key of ${o.newKeyFile}`);
    });
}
