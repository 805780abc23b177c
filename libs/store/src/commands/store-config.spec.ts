import { NamespaceEvent } from '../namespace/namespace';
import { namespaceDecider } from '../namespace/given-when-then';
import { decideNamespaceConfig } from '../namespace/config.decide';
import { parseStoreConfig } from './store-config';

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

  it('names reserved settings as not supported yet', () => {
    expect(() => parseStoreConfig('namespaces:\n  a:\n    acl: []\n')).toThrow('namespaces.a.acl: is reserved for a later release and not supported yet');
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
