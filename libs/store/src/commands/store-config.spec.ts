import { NamespaceEvent } from '../namespace/namespace';
import { namespaceDecider } from '../namespace/given-when-then';
import { decideNamespaceConfig } from '../namespace/config.decide';
import { parseStoreConfig, parseStoreConfigDocument } from './store-config';
import { ApiKeys } from '../identity/api-keys';
import { createHash } from 'node:crypto';

describe('parseStoreConfig', () => {
  it('reads YAML and JSON alike', () => {
    const yaml = parseStoreConfig('namespaces:\n  sessions:\n    defaultTtlSeconds: 3600\n  billing:\n');
    expect([...yaml]).toEqual([['sessions', { defaultTtlSeconds: 3600 }], ['billing', { defaultTtlSeconds: null }]]);
    const json = parseStoreConfig('{"namespaces": {"sessions": {"defaultTtlSeconds": 60}}}');
    expect([...json]).toEqual([['sessions', { defaultTtlSeconds: 60 }]]);
    expect([...parseStoreConfig('')]).toEqual([]);
  });

  it.each([
    ['namespaces:\n  sessions:\n    defaultTtlSeconds: 0\n', 'namespaces.sessions.defaultTtlSeconds'],
    ['namespaces:\n  sessions:\n    defaultTtlSeconds: 1.5\n', 'namespaces.sessions.defaultTtlSeconds'],
    ['namespaces:\n  sessions:\n    defaultTtlSeconds: "60"\n', 'namespaces.sessions.defaultTtlSeconds'],
    ['namespaces:\n  sessions:\n    quota: 10\n', 'namespaces.sessions.quota'],
    ['namespaces:\n  sessions:\n    colour: red\n', 'namespaces.sessions.colour'],
    ['namespaces:\n  Bad_Name: {}\n', 'namespaces.Bad_Name'],
    ['namespaces: [a, b]\n', 'namespaces'],
    ['other: 1\n', ''],
    ['namespaces:\n  a: {}\n  a: {}\n', ''],
    ['{"namespaces": ', ''],
  ])('refuses %j at path %j', (text, path) => {
    expect(() => parseStoreConfig(text)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', details: { path } }));
  });

  it('reads quota, tags and dependencies', () => {
    const text = 'namespaces:\n  billing:\n    quota: {maxEntries: 10}\n    tags: {team-a: "#00FF88"}\n    dependencies: [users]\n  users: {}\n';
    expect(parseStoreConfig(text).get('billing')).toEqual({
      defaultTtlSeconds: null, quota: { maxEntries: 10, maxBytes: null }, tags: { 'team-a': '#00FF88' }, dependencies: ['users'],
    });
  });

  it.each([
    ['namespaces:\n  a:\n    quota: {maxEntries: -1}\n', 'namespaces.a.quota.maxEntries'],
    ['namespaces:\n  a:\n    quota: {maxItems: 1}\n', 'namespaces.a.quota'],
    ['namespaces:\n  a:\n    tags: {red: red}\n', 'namespaces.a.tags.red'],
    ['namespaces:\n  a:\n    dependencies: [B]\n', 'namespaces.a.dependencies.0'],
    ['namespaces:\n  a:\n    dependencies: [b]\n  b:\n    dependencies: [a]\n', 'namespaces.a.dependencies'],
  ])('refuses %j at path %j', (text, path) => {
    expect(() => parseStoreConfig(text)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', details: { path } }));
  });

  it('declares a value schema, checked and compiled as through the API; null removes it; left out, the API decides', () => {
    const declared = parseStoreConfig('namespaces:\n  a:\n    schema: {type: object, required: [sku]}\n  b:\n    schema: null\n  c: {}\n');
    expect(declared.get('a')?.valueSchema).toEqual({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), schema: { type: 'object', required: ['sku'] } });
    expect(declared.get('b')?.valueSchema).toBeNull();
    expect(declared.get('c')).not.toHaveProperty('valueSchema');
    for (const bad of ['{type: nope}', '{pattern: "(a)\\\\1"}', '7']) {
      expect(() => parseStoreConfig(`namespaces:\n  a:\n    schema: ${bad}\n`))
        .toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', details: { path: 'namespaces.a.schema' } }));
    }
  });

  it('names reserved settings as not supported yet', () => {
    expect(() => parseStoreConfig('namespaces:\n  a:\n    acl: []\n')).toThrow('namespaces.a.acl: is reserved for a later release and not supported yet');
  });
});

describe('apiKeys in the config file', () => {
  const DIGEST = 'AB'.repeat(32);
  const key = (fields: string) => `apiKeys:\n  - {${fields}}\n`;

  it('reads keys with their hashed secret, user and roles (roles default to none)', () => {
    const text = key(`id: ops, sha256: ${DIGEST}, user: alice, roles: [admin, ops]`) + `  - {id: ci-1, sha256: "${'0'.repeat(64)}", user: ci}\n`;
    expect(parseStoreConfigDocument(text).apiKeys).toEqual([
      { id: 'ops', sha256: 'ab'.repeat(32), user: 'alice', roles: ['admin', 'ops'] },
      { id: 'ci-1', sha256: '0'.repeat(64), user: 'ci', roles: [] },
    ]);
    expect(parseStoreConfigDocument('namespaces: {}\n').apiKeys).toEqual([]);
  });

  it.each([
    [key(`id: ops, sha256: ${DIGEST.slice(2)}, user: alice`), 'apiKeys.0.sha256'],
    [key(`id: ops, sha256: not-a-digest, user: alice`), 'apiKeys.0.sha256'],
    [key(`id: ops, sha256: ${'1'.repeat(64)}, user: alice`), 'apiKeys.0.sha256'],
    [key(`id: op.s, sha256: ${DIGEST}, user: alice`), 'apiKeys.0.id'],
    [key(`id: ops, sha256: ${DIGEST}`), 'apiKeys.0.user'],
    [key(`id: ops, sha256: ${DIGEST}, user: "a b"`), 'apiKeys.0.user'],
    [key(`id: ops, sha256: ${DIGEST}, user: alice, roles: admin`), 'apiKeys.0.roles'],
    [key(`id: ops, sha256: ${DIGEST}, user: alice, secret: hunter2`), 'apiKeys.0'],
    [key(`id: ops, sha256: ${DIGEST}, user: a`) + `  - {id: ops, sha256: ${DIGEST}, user: b}\n`, 'apiKeys.1.id'],
  ])('refuses %j at path %j', (text, path) => {
    expect(() => parseStoreConfigDocument(text)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', details: { path } }));
  });
});

describe('ApiKeys', () => {
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

  it('knows a key only by its id and the secret whose digest was declared', () => {
    const keys = new ApiKeys();
    expect(keys.verify('ops', 's3cret')).toBeUndefined();
    keys.replace([{ id: 'ops', sha256: sha256('s3cret'), user: 'alice', roles: ['admin'] }]);
    expect(keys.verify('ops', 's3cret')).toEqual({ user: 'alice', roles: ['admin'] });
    expect(keys.verify('ops', 's3cret ')).toBeUndefined();
    expect(keys.verify('other', 's3cret')).toBeUndefined();
    keys.replace([{ id: 'ops', sha256: sha256('rotated'), user: 'alice', roles: [] }]);
    expect(keys.verify('ops', 's3cret')).toBeUndefined();
    expect(keys.verify('ops', 'rotated')).toEqual({ user: 'alice', roles: [] });
  });
});

describe('decideNamespaceConfig', () => {
  const { given } = namespaceDecider('sessions');
  const created: NamespaceEvent = { type: 'StoreNamespaceCreated', data: { namespace: 'sessions' } };
  const configured = (defaultTtlSeconds: number | null): NamespaceEvent => ({ type: 'StoreNamespaceConfigured', data: { namespace: 'sessions', defaultTtlSeconds } });

  it('creates and configures a declared namespace that does not exist', () => {
    given().when((s) => decideNamespaceConfig(s, { defaultTtlSeconds: 60 })).then(created, configured(60));
    given().when((s) => decideNamespaceConfig(s, { defaultTtlSeconds: null })).then(created);
  });

  it('changes only what differs', () => {
    given(created, configured(60)).when((s) => decideNamespaceConfig(s, { defaultTtlSeconds: 60 })).then();
    given(created, configured(60)).when((s) => decideNamespaceConfig(s, { defaultTtlSeconds: 120 })).then(configured(120));
  });

  it('brings quota and tags to what is declared, and leaves them alone when not declared', () => {
    const quota = { type: 'StoreQuotaSet', data: { namespace: 'sessions', maxEntries: 5, maxBytes: null } } as NamespaceEvent;
    const tag = (t: string, color: string) => ({ type: 'StoreTagSet', data: { namespace: 'sessions', tag: t, color } }) as NamespaceEvent;
    given(created).when((s) => decideNamespaceConfig(s, { defaultTtlSeconds: null, quota: { maxEntries: 5, maxBytes: null }, tags: { a: '#FFFFFF' } }))
      .then(quota, tag('a', '#ffffff'));
    given(created, quota, tag('b', '#000000')).when((s) => decideNamespaceConfig(s, { defaultTtlSeconds: null, tags: {} }))
      .then({ type: 'StoreTagRemoved', data: { namespace: 'sessions', tag: 'b' } });
    given(created, quota, tag('b', '#000000')).when((s) => decideNamespaceConfig(s, { defaultTtlSeconds: null })).then();
  });

  it('clears the settings of a namespace the file no longer declares, keeping it', () => {
    given(created, configured(60)).when((s) => decideNamespaceConfig(s, undefined)).then(configured(null));
    given(created).when((s) => decideNamespaceConfig(s, undefined)).then();
    given().when((s) => decideNamespaceConfig(s, undefined)).then();
  });
});
