import { hexastore } from './support/cli';
import { http, useService } from './support/service';

/** Locks and namespace freezes on the command line. */
describe('CLI: lock and freeze', () => {
  const service = useService();
  const cli = (...args: string[]) => hexastore(['--url', service.url, ...args]);
  const json = async (...args: string[]) => {
    const run = await cli('--json', ...args);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(run.stdout);
  };

  it('acquires, shows, renews and releases a lock; a held lock and an old token are refused', async () => {
    const grant = await json('lock', 'acquire', 'cli-job', '--ttl', '30', '--owner', 'ci');
    expect(grant).toMatchObject({ name: 'cli-job', owner: 'ci', token: expect.any(Number) });
    expect(await json('lock', 'get', 'cli-job')).toEqual((await http('GET', `${service.url}/v1/locks/cli-job`)).body);
    const human = await cli('lock', 'get', 'cli-job');
    expect(human.stdout).toContain(String(grant.token));
    const held = await cli('lock', 'acquire', 'cli-job', '--ttl', '30');
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('LOCK_HELD');
    expect(await json('lock', 'renew', 'cli-job', String(grant.token), '--ttl', '60')).toMatchObject({ token: grant.token });
    expect(await json('lock', 'release', 'cli-job', String(grant.token))).toEqual({ released: 'cli-job', token: grant.token });
    const again = await cli('lock', 'release', 'cli-job', String(grant.token));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('LOCK_TOKEN_INVALID');
    expect(await json('lock', 'get', 'cli-job')).toMatchObject({ held: false, lastToken: grant.token });
  });

  it('refuses bad arguments as usage errors', async () => {
    expect((await cli('lock', 'acquire', 'cli-bad')).code).toBe(2);
    expect((await cli('lock', 'acquire', 'cli-bad', '--ttl', '0')).code).toBe(2);
    expect((await cli('lock', 'renew', 'cli-bad', 'abc', '--ttl', '5')).code).toBe(2);
    expect((await cli('lock', 'release', 'cli-bad')).code).toBe(2);
    expect((await cli('lock', 'acquire', 'bad name!', '--ttl', '5')).code).toBe(1);
  });

  it('freezes a namespace: writes without the token are 423 LOCKED until it is released', async () => {
    await service.store.put('cli-frozen', 'k', 'v');
    const freeze = await json('freeze', 'acquire', 'cli-frozen', '--ttl', '60', '--owner', 'ops');
    expect(freeze).toMatchObject({ name: 'namespace/cli-frozen', owner: 'ops' });
    const refused = await cli('put', 'cli-frozen', 'k', 'w');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('LOCKED');
    expect(await json('freeze', 'get', 'cli-frozen')).toMatchObject({ held: true, token: freeze.token });
    expect((await cli('put', 'cli-frozen', 'k', 'w', '--lock-token', String(freeze.token))).code).toBe(0);
    expect((await cli('del', 'cli-frozen', 'k', '--lock-token', String(freeze.token))).code).toBe(0);
    expect((await cli('put', 'cli-frozen', 'k', 'w', '--lock-token', 'abc')).code).toBe(2);
    await json('freeze', 'release', 'cli-frozen', String(freeze.token));
    expect((await cli('put', 'cli-frozen', 'k', 'w')).code).toBe(0);
  });

  it('sends a fencing token with put and del: FENCED once the lock was granted a higher token', async () => {
    const old = await json('lock', 'acquire', 'cli-fence', '--ttl', '30');
    expect((await cli('put', 'cli-fenced', 'k', 'v', '--fencing-token', `cli-fence:${old.token}`)).code).toBe(0);
    await json('lock', 'release', 'cli-fence', String(old.token));
    await json('lock', 'acquire', 'cli-fence', '--ttl', '30');
    for (const args of [['put', 'cli-fenced', 'k', 'stale'], ['del', 'cli-fenced', 'k']]) {
      const refused = await cli(...args, '--fencing-token', `cli-fence:${old.token}`);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('FENCED');
    }
    expect((await service.store.get('cli-fenced', 'k')).value).toBe('v');
    expect((await cli('put', 'cli-fenced', 'k', 'v', '--fencing-token', 'no-colon')).code).toBe(2);
  });
});
