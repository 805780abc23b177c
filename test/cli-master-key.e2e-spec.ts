import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KeyVault, MasterKeyWrongError } from '../libs/store/src/crypto/key-vault';
import { hexastore } from './support/cli';
import { removeDir, startChild, tempDir } from './support/service';

describe('hexastore master-key rotate: the data keys re-wrapped with a new master key, offline', () => {
  let dir: string;
  let dataDir: string;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const keyFile = (name: string, text: string | Buffer) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  let dataKey: { keyId: string; key: Buffer };

  beforeAll(() => {
    dir = tempDir();
    dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const vault = KeyVault.open(join(dataDir, 'keys.db'), oldKey);
    dataKey = vault.createKey('ns', new Date());
    vault.close();
  });
  afterAll(() => removeDir(dir));

  it.each([
    ['a wrong current key', () => ['--key-file', keyFile('other.key', randomBytes(32).toString('base64')), '--new-key-file', keyFile('n1.key', newKey.toString('hex'))], /does not open the key vault/],
    ['a new key that is not 32 bytes', () => ['--key-file', keyFile('o1.key', oldKey), '--new-key-file', keyFile('bad.key', 'secret\n')], /bad\.key holds 7 bytes/],
    ['the current key as the new one', () => ['--key-file', keyFile('o2.key', oldKey), '--new-key-file', keyFile('same.key', oldKey.toString('base64'))], /is the current one/],
    ['a key file that does not exist', () => ['--key-file', join(dir, 'none.key'), '--new-key-file', keyFile('n2.key', newKey)], /cannot read .*none\.key \(ENOENT\)/],
  ])('refuses %s (exit 2) and changes nothing', async (_, args, message) => {
    const run = await hexastore(['master-key', 'rotate', '--data-dir', dataDir, ...args()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    const vault = KeyVault.open(join(dataDir, 'keys.db'), oldKey);
    expect(vault.dataKey('ns', dataKey.keyId)?.equals(dataKey.key)).toBe(true);
    vault.close();
  });

  it('refuses a data dir without a key vault', async () => {
    const run = await hexastore(['master-key', 'rotate', '--data-dir', dir, '--key-file', keyFile('o3.key', oldKey), '--new-key-file', keyFile('n3.key', newKey)]);
    expect(run).toMatchObject({ code: 2, stderr: expect.stringMatching(/no key vault in/) });
  });

  it('re-wraps: the new key opens the vault with the same data keys, the old one no longer does; the service starts with the new key', async () => {
    const newFile = keyFile('new.key', `${newKey.toString('base64')}\n`);
    const run = await hexastore(['--json', 'master-key', 'rotate', '--data-dir', dataDir, '--key-file', keyFile('old.key', oldKey), '--new-key-file', newFile]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ dataKeys: 1 });
    expect(() => KeyVault.open(join(dataDir, 'keys.db'), oldKey)).toThrow(MasterKeyWrongError);
    const vault = KeyVault.open(join(dataDir, 'keys.db'), newKey);
    expect(vault.dataKey('ns', dataKey.keyId)?.equals(dataKey.key)).toBe(true);
    vault.close();
    const { child, url } = await startChild(dataDir, { STORE_MASTER_KEY_FILE: newFile });
    try {
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
