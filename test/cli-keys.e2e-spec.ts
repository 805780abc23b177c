import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hexastore } from './support/cli';
import { removeDir, tempDir, useService } from './support/service';

const keyDir = tempDir('hexastore-cli-keys-');
const KEY_FILE = join(keyDir, 'master.key');
writeFileSync(KEY_FILE, randomBytes(32));

/** Encrypted namespaces on the command line: ns create --encrypted, keys rotate|list, shred. */
describe('CLI: ns create --encrypted, keys rotate|list, shred', () => {
  const service = useService({ env: { STORE_MASTER_KEY_FILE: KEY_FILE } });
  const cli = (...args: string[]) => hexastore(['--url', service.url, ...args]);
  const json = async (...args: string[]) => {
    const run = await cli('--json', ...args);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(run.stdout);
  };
  afterAll(() => removeDir(keyDir));

  it('creates an encrypted namespace, rotates and lists its keys, and shreds them (with --yes only)', async () => {
    expect(await json('ns', 'create', 'cli-sealed', '--encrypted')).toMatchObject({ name: 'cli-sealed', created: true });
    await service.store.put('cli-sealed', 'k', 'secret');
    const [first] = await json('keys', 'list', 'cli-sealed');
    const rotation = await json('keys', 'rotate', 'cli-sealed');
    expect(rotation).toMatchObject({ previousKeyId: first.keyId });
    expect((await cli('keys', 'list', 'cli-sealed')).stdout).toContain(rotation.keyId);
    const unconfirmed = await cli('shred', 'cli-sealed');
    expect(unconfirmed).toMatchObject({ code: 2, stderr: expect.stringContaining('--yes') });
    expect((await service.store.get('cli-sealed', 'k')).value).toBe('secret');
    expect((await cli('shred', 'cli-sealed', '--yes')).stdout).toContain('shredded 2 data key(s) of cli-sealed');
    expect((await cli('get', 'cli-sealed', 'k')).code).toBe(1);
    expect(await json('keys', 'list', 'cli-sealed')).toEqual([]);
  });

  it('refusals: a plain namespace is the store\'s 409 (exit 1); a wrong action is a usage error (exit 2)', async () => {
    await service.store.createNamespace('cli-plain');
    expect((await cli('keys', 'rotate', 'cli-plain'))).toMatchObject({ code: 1, stderr: expect.stringContaining('NAMESPACE_NOT_ENCRYPTED') });
    expect((await cli('keys', 'burn', 'cli-plain')).code).toBe(2);
    expect((await cli('ns', 'create', 'cli-plain', '--encrypted'))).toMatchObject({ code: 1, stderr: expect.stringContaining('NAMESPACE_NOT_ENCRYPTED') });
  });
});
