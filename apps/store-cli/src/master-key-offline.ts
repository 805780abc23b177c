import { KEY_VAULT_FILE, KeyVault, MasterKeyInvalidError, MasterKeyWrongError, parseMasterKey } from '@app/store';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from './inputs';

/** Re-wraps the data dir's key vault with the master key of `newKeyFile`; answers how many data keys it holds. */
export function rotateMasterKey(dataDir: string, keyFile: string, newKeyFile: string): number {
  const file = join(dataDir, KEY_VAULT_FILE);
  if (!existsSync(file)) throw new UsageError(`there is no key vault in ${dataDir} (no ${KEY_VAULT_FILE})`);
  const current = masterKey(keyFile);
  const next = masterKey(newKeyFile);
  if (current.equals(next)) throw new UsageError('the new master key is the current one');
  let vault: KeyVault;
  try {
    vault = KeyVault.open(file, current);
  } catch (error) {
    if (error instanceof MasterKeyWrongError) throw new UsageError(`${keyFile}: ${error.message}`);
    throw error;
  }
  try {
    return vault.rewrap(next);
  } finally {
    vault.close();
  }
}

function masterKey(path: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  try {
    return parseMasterKey(bytes);
  } catch (error) {
    if (error instanceof MasterKeyInvalidError) throw new UsageError(`${path} ${error.message}`);
    throw error;
  }
}
