import { hexastore } from './support/cli';
import { http, useService } from './support/service';

/** Quotas, tags, dependencies and namespace delete on the command line. */
describe('CLI: quota, tag, deps and ns delete', () => {
  const service = useService();
  const cli = (...args: string[]) => hexastore(['--url', service.url, ...args]);
  const json = async (...args: string[]) => {
    const run = await cli('--json', ...args);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(run.stdout);
  };
  const api = async (path: string) => (await http('GET', `${service.url}${path}`)).body;

  it('quota shows and sets limits; none clears one; a bad limit is a usage error', async () => {
    await service.store.put('cli-quota', 'k', 'v');
    expect(await json('quota', 'cli-quota', '--max-entries', '10', '--max-bytes', '100'))
      .toEqual({ maxEntries: 10, maxBytes: 100, usedEntries: 1, usedBytes: 2 });
    expect(await json('quota', 'cli-quota', '--max-bytes', 'none')).toMatchObject({ maxEntries: 10, maxBytes: null });
    expect(await json('quota', 'cli-quota')).toEqual((await api('/v1/namespaces/cli-quota')).quota);
    const human = await cli('quota', 'cli-quota');
    expect(human.stdout).toContain('1 of 10');
    expect((await cli('quota', 'cli-quota', '--max-entries', '-3')).code).toBe(2);
    expect((await cli('quota', 'no-such-ns')).code).toBe(1);
  });

  it('tag sets, lists and removes; ls --tag filters', async () => {
    await service.store.createNamespace('cli-tags');
    expect(await json('tag', 'cli-tags', 'prod', '#FF0000')).toEqual({ prod: '#ff0000' });
    expect(await json('tag', 'cli-tags')).toEqual(await api('/v1/namespaces/cli-tags/tags'));
    expect((await json('ls', '--tag', 'prod')).map((n: { name: string }) => n.name)).toEqual(['cli-tags']);
    await json('tag', 'cli-tags', 'prod', '--remove');
    expect(await json('tag', 'cli-tags')).toEqual({});
    const refused = await cli('tag', 'cli-tags', 'prod', 'red');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('VALIDATION_FAILED');
    expect((await cli('tag', 'cli-tags', 'prod')).code).toBe(2);
  });

  it('deps adds, resolves and draws a tree; a cycle is refused naming it', async () => {
    for (const ns of ['cli-billing', 'cli-users', 'cli-auth']) await service.store.createNamespace(ns);
    await json('deps', 'cli-users', '--add', 'cli-auth');
    expect(await json('deps', 'cli-billing', '--add', 'cli-users')).toEqual({ direct: ['cli-users'], resolved: ['cli-auth', 'cli-users'] });
    const tree = await cli('deps', 'cli-billing', '--tree');
    expect(tree.code).toBe(0);
    expect(tree.stdout).toBe('cli-billing\n└── cli-users\n    └── cli-auth\n');
    const cycle = await cli('deps', 'cli-auth', '--add', 'cli-billing');
    expect(cycle.code).toBe(1);
    expect(cycle.stderr).toContain('DEPENDENCY_CYCLE');
    expect(cycle.stderr).toContain('cli-auth -> cli-billing -> cli-users -> cli-auth');
  });

  it('ns delete deletes; refused while depended on', async () => {
    await service.store.createNamespace('cli-base');
    await service.store.createNamespace('cli-top');
    await service.store.addDependency('cli-top', 'cli-base');
    const inUse = await cli('ns', 'delete', 'cli-base');
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain('NAMESPACE_IN_USE');
    expect(await json('ns', 'delete', 'cli-top')).toEqual({ deleted: 'cli-top' });
    expect((await http('GET', `${service.url}/v1/namespaces/cli-top`)).status).toBe(404);
  });
});
