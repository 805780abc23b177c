import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyVault } from './key-vault';
import { parseMasterKey } from './master-key';

/** The key vault's file in the data directory: beside the log, never inside it, and never in a backup. */
export const KEY_VAULT_FILE = 'keys.db';

/** Opens the data directory's key vault with the master key read from `masterKeyFile`. */
export function openKeyVault(dataDir: string, masterKeyFile: string): KeyVault {
  return KeyVault.open(join(dataDir, KEY_VAULT_FILE), parseMasterKey(readFileSync(masterKeyFile)));
}
