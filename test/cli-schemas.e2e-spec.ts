import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hexastore } from './support/cli';
import { http, removeDir, tempDir, useService } from './support/service';

/** Value schemas and migrations on the command line. */
describe('CLI: schema set|get|delete and migrations', () => {
  const service = useService();
  const cli = (...args: string[]) => hexastore(['--url', service.url, ...args]);
  const json = async (...args: string[]) => {
    const run = await cli('--json', ...args);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    return JSON.parse(run.stdout);
  };
  let work: string;
  beforeAll(() => {
    work = tempDir('hexastore-cli-schema-');
  });
  afterAll(() => removeDir(work));

  it('set answers as the API (violators listed), get shows it, delete removes it', async () => {
    await service.store.put('cli-schema', 'bad', 'not json');
    const file = join(work, 'schema.json');
    writeFileSync(file, JSON.stringify({ type: 'object', required: ['price'] }));
    const set = await json('schema', 'set', 'cli-schema', file);
    expect(set).toMatchObject({ namespace: 'cli-schema', schema: { type: 'object', required: ['price'] }, violations: { checked: 1, violating: 1, complete: true } });
    expect(set.violations.items).toEqual([{ key: 'bad', errors: [{ path: '', message: 'is not JSON (UTF-8 text of one JSON value)' }] }]);
    const human = await cli('schema', 'set', 'cli-schema', file);
    expect(human.stdout).toContain('1 of 1 existing entries violate it');
    expect(human.stdout).toContain('bad: (value) is not JSON');
    expect(await json('schema', 'get', 'cli-schema')).toEqual((await http('GET', `${service.url}/v1/namespaces/cli-schema/schema`)).body);
    expect((await cli('put', 'cli-schema', 'k', '{}')).code).toBe(1);
    expect(await json('schema', 'delete', 'cli-schema')).toEqual({ removed: 'cli-schema' });
    expect((await cli('schema', 'get', 'cli-schema')).code).toBe(1);
  });

  it('refusals: a bad schema is the store\'s 400 (exit 1); a missing file, a file that is not JSON or a wrong action is a usage error (exit 2)', async () => {
    await service.store.createNamespace('cli-schema-bad');
    const evil = join(work, 'evil.json');
    writeFileSync(evil, JSON.stringify({ type: 'string', pattern: '(a)\\1' }));
    const refused = await cli('schema', 'set', 'cli-schema-bad', evil);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('SCHEMA_INVALID');
    const notJson = join(work, 'not.json');
    writeFileSync(notJson, 'type: object');
    expect((await cli('schema', 'set', 'cli-schema-bad', notJson)).code).toBe(2);
    expect((await cli('schema', 'set', 'cli-schema-bad', join(work, 'missing.json'))).code).toBe(2);
    expect((await cli('schema', 'set', 'cli-schema-bad')).code).toBe(2);
    expect((await cli('schema', 'replace', 'cli-schema-bad')).code).toBe(2);
  });

  it('migrations lists what the store recorded, as the API answers', async () => {
    expect(await json('migrations')).toEqual((await http('GET', `${service.url}/v1/admin/migrations`)).body);
    expect((await cli('migrations')).stdout).toContain('no migrations recorded');
  });
});
