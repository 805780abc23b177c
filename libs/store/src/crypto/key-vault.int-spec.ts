import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyVault, MasterKeyWrongError } from './key-vault';

describe('the key vault', () => {
  let dir: string;
  let file: string;
  const master = randomBytes(32);
  const now = new Date('2026-11-29T12:00:00Z');
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vault-'));
    file = join(dir, 'keys.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps data keys wrapped on disk, lists ids and dates only, and gives them back after a reopen', () => {
    const vault = KeyVault.open(file, master, now);
    const made = vault.createKey('ns', now);
    expect(vault.keys('ns')).toEqual([{ keyId: made.keyId, createdAt: now.toISOString() }]);
    vault.close();
    expect(readFileSync(file).includes(made.key)).toBe(false);
    const again = KeyVault.open(file, master);
    expect(again.dataKey('ns', made.keyId)?.equals(made.key)).toBe(true);
    expect(again.dataKey('other', made.keyId)).toBeUndefined();
    again.close();
  });

  it('refuses a different master key at open', () => {
    KeyVault.open(file, master, now).close();
    expect(() => KeyVault.open(file, randomBytes(32))).toThrow(MasterKeyWrongError);
  });

  it('shreds a namespace: its keys are gone for good, on disk too; other namespaces keep theirs', () => {
    const vault = KeyVault.open(file, master, now);
    const gone = vault.createKey('ns', now);
    const kept = vault.createKey('other', now);
    const wrapped = vault['one'].get('ns', gone.keyId) as Buffer;
    expect(vault.shred('ns')).toBe(1);
    expect(vault.dataKey('ns', gone.keyId)).toBeUndefined();
    vault.close();
    expect(readFileSync(file).includes(wrapped)).toBe(false);
    const again = KeyVault.open(file, master);
    expect(again.keys('ns')).toEqual([]);
    expect(again.dataKey('other', kept.keyId)?.equals(kept.key)).toBe(true);
    again.close();
  });

  it('rewraps every data key with a new master key: the old one no longer opens the vault', () => {
    const vault = KeyVault.open(file, master, now);
    const made = vault.createKey('ns', now);
    const next = randomBytes(32);
    expect(vault.rewrap(next)).toBe(1);
    vault.close();
    expect(() => KeyVault.open(file, master)).toThrow(MasterKeyWrongError);
    const again = KeyVault.open(file, next);
    expect(again.dataKey('ns', made.keyId)?.equals(made.key)).toBe(true);
    again.close();
  });
});
