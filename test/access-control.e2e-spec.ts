/**
 * STORE_AUTH=on with grants: role `admin` may do everything; otherwise read, write or admin on a
 * namespace by a grant to the caller's user or one of its roles. Every route of every namespace
 * and every store-wide call, for callers with each level of grant, none, and one revoked; a
 * refused call writes nothing. The feed delivers only what its reader may read, decided per event.
 */
import { ForbiddenError, StoreClient } from '@app/client';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../apps/store-service/src/config/config';
import { createHttpApp } from '../apps/store-service/src/http-app';
import { hexastore } from './support/cli';
import { http, removeDir, tempDir } from './support/service';
import { SseConnection } from './support/sse';

jest.setTimeout(120_000);

type Level = 'none' | 'read' | 'write' | 'admin';
type Needed = 'read' | 'write' | 'admin' | 'store-admin' | 'some-read';

const USERS = ['root', 'nora', 'rita', 'will', 'ada', 'tess'] as const;
type User = (typeof USERS)[number];
const secrets = Object.fromEntries(USERS.map((u) => [u, randomBytes(24).toString('base64url')])) as Record<User, string>;
const token = (user: User) => `${user}-key.${secrets[user]}`;
const as = (user: User) => ({ authorization: `Bearer ${token(user)}` });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ROLES: Record<User, string[]> = { root: ['admin'], nora: [], rita: [], will: ['ops'], ada: [], tess: ['team'] };

/** What each caller may do on `shop`; nobody but root has anything on `vault`. */
const ON_SHOP: Record<User, Level> = { root: 'admin', nora: 'none', rita: 'read', will: 'write', ada: 'admin', tess: 'read' };

const covers = (level: Level, needed: Needed): boolean =>
  needed === 'store-admin' ? false
  : needed === 'some-read' ? level !== 'none'
  : ['none', 'read', 'write', 'admin'].indexOf(level) >= ['none', 'read', 'write', 'admin'].indexOf(needed);

interface Operation {
  readonly name: string;
  readonly needs: Needed;
  readonly method: string;
  readonly path: (ns: string) => string;
  readonly body?: unknown;
  readonly type?: string;
}

const E = (ns: string) => `/v1/namespaces/${ns}`;
/** Every route but the feeds (streams, checked on their own), whoami, metrics and the probes. */
const OPERATIONS: Operation[] = [
  { name: 'get namespace', needs: 'read', method: 'GET', path: E },
  { name: 'list entries', needs: 'read', method: 'GET', path: (ns) => `${E(ns)}/entries` },
  { name: 'get entry', needs: 'read', method: 'GET', path: (ns) => `${E(ns)}/entries/k` },
  { name: 'entry exists', needs: 'read', method: 'HEAD', path: (ns) => `${E(ns)}/entries/k` },
  { name: 'entry as of', needs: 'read', method: 'GET', path: (ns) => `${E(ns)}/entries/k?asOf=1` },
  { name: 'history', needs: 'read', method: 'GET', path: (ns) => `${E(ns)}/entries/k/history` },
  { name: 'tags', needs: 'read', method: 'GET', path: (ns) => `${E(ns)}/tags` },
  { name: 'dependencies', needs: 'read', method: 'GET', path: (ns) => `${E(ns)}/dependencies` },
  { name: 'rollback points', needs: 'read', method: 'GET', path: (ns) => `${E(ns)}/rollback-points` },
  { name: 'rollback point', needs: 'read', method: 'GET', path: (ns) => `${E(ns)}/rollback-points/nope` },
  { name: 'snapshots', needs: 'read', method: 'GET', path: (ns) => `${E(ns)}/snapshots` },
  { name: 'snapshot', needs: 'read', method: 'GET', path: (ns) => `${E(ns)}/snapshots/nope` },
  { name: 'put entry', needs: 'write', method: 'PUT', path: (ns) => `${E(ns)}/entries/k2`, body: { value: 'v' } },
  { name: 'set ttl', needs: 'write', method: 'PUT', path: (ns) => `${E(ns)}/entries/k2/ttl`, body: { ttlSeconds: 3600 } },
  { name: 'delete entry', needs: 'write', method: 'DELETE', path: (ns) => `${E(ns)}/entries/k2` },
  { name: 'restore entry', needs: 'write', method: 'POST', path: (ns) => `${E(ns)}/entries/k2/restore` },
  { name: 'purge entry', needs: 'write', method: 'POST', path: (ns) => `${E(ns)}/entries/k2/purge` },
  { name: 'transaction', needs: 'write', method: 'POST', path: (ns) => `${E(ns)}/transactions`, body: { ops: [{ op: 'put', key: 'k3', value: 'v' }] } },
  { name: 'rollback point', needs: 'write', method: 'POST', path: (ns) => `${E(ns)}/rollback-points`, body: { label: 'acl' } },
  { name: 'rollback', needs: 'write', method: 'POST', path: (ns) => `${E(ns)}/rollback`, body: { pointId: 'nope' } },
  { name: 'snapshot', needs: 'write', method: 'POST', path: (ns) => `${E(ns)}/snapshots` },
  { name: 'set quota', needs: 'admin', method: 'PUT', path: (ns) => `${E(ns)}/quota`, body: { maxEntries: 1000 } },
  { name: 'set tag', needs: 'admin', method: 'PUT', path: (ns) => `${E(ns)}/tags/acl`, body: { color: '#00ff88' } },
  { name: 'remove tag', needs: 'admin', method: 'DELETE', path: (ns) => `${E(ns)}/tags/acl` },
  { name: 'add dependency', needs: 'admin', method: 'PUT', path: (ns) => `${E(ns)}/dependencies/base` },
  { name: 'remove dependency', needs: 'admin', method: 'DELETE', path: (ns) => `${E(ns)}/dependencies/base` },
  { name: 'list grants', needs: 'admin', method: 'GET', path: (ns) => `${E(ns)}/grants` },
  { name: 'grant', needs: 'admin', method: 'PUT', path: (ns) => `${E(ns)}/grants/user:zed`, body: { access: 'read' } },
  { name: 'check grant of another', needs: 'admin', method: 'GET', path: (ns) => `${E(ns)}/grants/check?subject=user:zed&access=read` },
  { name: 'revoke', needs: 'admin', method: 'DELETE', path: (ns) => `${E(ns)}/grants/user:zed` },
  { name: 'create namespace', needs: 'store-admin', method: 'PUT', path: E },
  { name: 'delete namespace', needs: 'store-admin', method: 'DELETE', path: E },
  { name: 'consumer', needs: 'some-read', method: 'GET', path: () => '/v1/consumers/acl' },
  { name: 'checkpoint', needs: 'some-read', method: 'PUT', path: () => '/v1/consumers/acl/checkpoint', body: { position: 'start' } },
  { name: 'replicas', needs: 'store-admin', method: 'GET', path: () => '/v1/replicas' },
  { name: 'backup', needs: 'store-admin', method: 'POST', path: () => '/v1/admin/backup' },
  { name: 'restore', needs: 'store-admin', method: 'POST', path: () => '/v1/admin/restore', body: '', type: 'application/gzip' },
  { name: 'rebuild', needs: 'store-admin', method: 'POST', path: () => '/v1/admin/rebuild' },
  { name: 'reload', needs: 'store-admin', method: 'POST', path: () => '/v1/admin/reload' },
];

let dir: string;
let configFile: string;
let app: NestFastifyApplication;
let url: string;
const routes: { method: string; url: string }[] = [];

function writeConfig(extra = ''): void {
  writeFileSync(configFile, [
    'namespaces:',
    '  base: {}',
    '  shop: {}',
    '  vault: {}',
    extra,
    'apiKeys:',
    ...USERS.map((u) => `  - {id: ${u}-key, sha256: "${sha256(secrets[u])}", user: ${u}, roles: [${ROLES[u].join(', ')}]}`),
    '',
  ].join('\n'));
}

async function start(): Promise<void> {
  app = await createHttpApp(loadConfig({
    LOG_LEVEL: 'silent', PORT: '0', STORE_AUTH: 'on', STORE_DATA_DIR: join(dir, 'data'), STORE_CONFIG: configFile,
  }), undefined, { onRoute: (route) => { for (const method of [route.method].flat()) routes.push({ method, url: route.url }); } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
}

async function call(user: User | undefined, op: Pick<Operation, 'method' | 'body' | 'type'>, path: string) {
  const send = op.body !== undefined || op.method === 'POST';
  const response = await fetch(`${url}${path}`, {
    method: op.method,
    headers: { ...(user && as(user)), ...(send ? { 'content-type': op.type ?? 'application/json' } : {}) },
    body: op.body === undefined ? (send && op.type === undefined ? undefined : send ? '' : undefined)
      : typeof op.body === 'string' ? op.body : JSON.stringify(op.body),
  });
  const text = op.method === 'HEAD' ? '' : await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, code: type.includes('json') && text ? (JSON.parse(text) as { code?: string }).code : undefined };
}

/** What the store holds, seen by root: namespaces with their revisions, the log head, the consumer. */
async function written(): Promise<unknown> {
  const namespaces = await http('GET', `${url}/v1/namespaces`, undefined, as('root'));
  const ready = await http('GET', `${url}/health/ready`);
  const consumer = await http('GET', `${url}/v1/consumers/acl`, undefined, as('root'));
  return {
    namespaces: (namespaces.body as { name: string; revision: number }[]).map((n) => `${n.name}@${n.revision}`),
    head: JSON.stringify(ready.body.info?.store ?? ready.body).replace(/"lag[A-Za-z]*":[^,}]*/g, ''),
    consumer: consumer.status,
  };
}

async function grant(ns: string, subject: string, access: string) {
  expect((await http('PUT', `${url}/v1/namespaces/${ns}/grants/${subject}`, { access }, as('root'))).status).toBe(200);
}

beforeAll(async () => {
  dir = tempDir('hexastore-acl-');
  configFile = join(dir, 'store.yaml');
  writeConfig();
  await start();
  await grant('shop', 'user:rita', 'read');
  await grant('shop', 'user:will', 'write');
  await grant('shop', 'user:ada', 'admin');
  await grant('shop', 'role:team', 'read');
  for (const ns of ['shop', 'vault']) {
    expect((await http('PUT', `${url}/v1/namespaces/${ns}/entries/k`, { value: 'secret' }, as('root'))).status).toBe(201);
  }
});

afterAll(async () => {
  await app?.close();
  removeDir(dir);
});

describe('access control with STORE_AUTH=on', () => {
  it('answers each caller by its grants on every route: 403 FORBIDDEN without, never 401/403 with, and a refusal writes nothing', async () => {
    const outcomes: string[] = [];
    for (const user of USERS.filter((u) => u !== 'root')) {
      for (const ns of ['shop', 'vault']) {
        const level: Level = ns === 'shop' ? ON_SHOP[user] : 'none';
        for (const op of OPERATIONS) {
          const name = `${user} ${op.name} ${ns}`;
          const allowed = covers(op.needs === 'some-read' ? ON_SHOP[user] : level, op.needs);
          const before = allowed ? undefined : await written();
          const answer = await call(user, op, op.path(ns));
          if (allowed) {
            expect({ name, refused: [401, 403].includes(answer.status) || answer.status >= 500 }).toEqual({ name, refused: false });
          } else {
            expect({ name, status: answer.status, code: answer.code }).toEqual({ name, status: 403, code: op.method === 'HEAD' ? undefined : 'FORBIDDEN' });
            expect({ name, written: await written() }).toEqual({ name, written: before });
          }
          outcomes.push(`${name}: ${answer.status}`);
        }
      }
    }
    expect(outcomes).toHaveLength((USERS.length - 1) * 2 * OPERATIONS.length);
    // A namespace admin's changes are recorded with the caller as actor.
    const history = await http('GET', `${url}/v1/namespaces/shop/entries/k3/history`, undefined, as('rita'));
    expect(history.body.items.map((i: { actor: string }) => i.actor)).toEqual(expect.arrayContaining(['will']));
  });

  it('without a credential every route answers 401, with no refusal that tells a grant apart', async () => {
    for (const op of OPERATIONS) {
      const answer = await call(undefined, op, op.path('shop'));
      expect({ name: op.name, status: answer.status }).toEqual({ name: op.name, status: 401 });
    }
  });

  it('the admin role may do everything', async () => {
    const before = await written();
    for (const op of OPERATIONS.filter((o) => !['delete namespace', 'restore'].includes(o.name))) {
      const answer = await call('root', op, op.path('vault'));
      expect({ name: op.name, refused: [401, 403].includes(answer.status) || answer.status >= 500 }).toEqual({ name: op.name, refused: false });
    }
    expect((await call('root', { method: 'POST', type: 'application/gzip', body: '' }, '/v1/admin/restore')).status).toBe(400);
    expect((await http('PUT', `${url}/v1/namespaces/scratch`, undefined, as('root'))).status).toBe(201);
    expect((await http('DELETE', `${url}/v1/namespaces/scratch`, undefined, as('root'))).status).toBe(204);
    expect(await written()).not.toEqual(before);
  });

  it('with no grant at all every namespace, consumer and admin route of the router answers 403', async () => {
    const samples: Record<string, string> = { ns: 'shop', name: 'acl', id: 'nope', tag: 'acl', other: 'base', subject: 'user:zed' };
    const checked = routes.filter((r) => r.url.startsWith('/v1/') && !['/v1/whoami', '/v1/feed', '/v1/namespaces'].includes(r.url));
    expect(checked.length).toBeGreaterThanOrEqual(25);
    for (const route of checked) {
      const path = route.url.replace(/:(\w+)/g, (_, name: string) => samples[name] ?? 'x').replace(/\*$/, route.method === 'POST' ? 'k/restore' : 'k')
        + (route.url.endsWith('/grants/check') ? '?subject=user:zed&access=read' : '')
        + (route.method === 'DELETE' && /\/lock(s\/:name)?$/.test(route.url) ? '?token=1' : '');
      const type = path === '/v1/admin/restore' ? 'application/gzip' : undefined;
      const before = await written();
      // A well-formed request: bad input is refused (400) before its caller's grants are looked at.
      const body = type ? '' : ['PUT', 'POST'].includes(route.method) ? validBody(route.method, route.url) : undefined;
      const answer = route.url.endsWith('/feed') ? await feedStatus(path, 'nora') : (await call('nora', { method: route.method, type, body }, path)).status;
      expect({ route: `${route.method} ${route.url}`, status: answer }).toEqual({ route: `${route.method} ${route.url}`, status: 403 });
      expect(await written()).toEqual(before);
    }
    // The list shows only what the caller may read; whoami tells its grants.
    expect((await http('GET', `${url}/v1/namespaces`, undefined, as('nora'))).body).toEqual([]);
    // A feed from a consumer's checkpoint does not tell a caller with no read anywhere whether that consumer exists.
    expect(await feedStatus('/v1/feed?consumer=nobody', 'nora')).toBe(403);
    expect(await feedStatus('/v1/feed?consumer=nobody', 'root')).toBe(404);
    expect((await http('GET', `${url}/v1/namespaces`, undefined, as('rita'))).body.map((n: { name: string }) => n.name)).toEqual(['shop']);
    expect((await http('GET', `${url}/v1/whoami`, undefined, as('will'))).body).toEqual({ user: 'will', roles: ['ops'], grants: [{ namespace: 'shop', access: 'write' }] });
    expect((await http('GET', `${url}/v1/whoami`, undefined, as('tess'))).body.grants).toEqual([{ namespace: 'shop', access: 'read' }]);
  });

  it('a revoked grant counts no more: the next call is refused and writes nothing', async () => {
    await grant('vault', 'user:will', 'write');
    expect((await http('PUT', `${url}/v1/namespaces/vault/entries/w`, { value: '1' }, as('will'))).status).toBe(201);
    expect((await http('DELETE', `${url}/v1/namespaces/vault/grants/user:will`, undefined, as('root'))).status).toBe(204);
    const before = await written();
    for (const op of OPERATIONS.filter((o) => o.needs === 'read' || o.needs === 'write')) {
      const answer = await call('will', op, op.path('vault'));
      expect({ name: op.name, status: answer.status }).toEqual({ name: op.name, status: 403 });
    }
    expect(await written()).toEqual(before);
    // A write grant is not enough to manage the namespace; namespace admin is, and only on its own namespace.
    expect((await http('PUT', `${url}/v1/namespaces/shop/grants/user:nora`, { access: 'read' }, as('will'))).status).toBe(403);
    expect((await http('PUT', `${url}/v1/namespaces/shop/grants/user:nora`, { access: 'read' }, as('ada'))).status).toBe(200);
    expect((await http('GET', `${url}/v1/namespaces/shop/entries/k`, undefined, as('nora'))).body.value).toBe('secret');
    expect((await http('DELETE', `${url}/v1/namespaces/shop/grants/user:nora`, undefined, as('ada'))).status).toBe(204);
    expect((await http('PUT', `${url}/v1/namespaces/vault/grants/user:ada`, { access: 'admin' }, as('ada'))).status).toBe(403);
  });

  it('the change feed delivers only events of namespaces its reader may read, decided per event', async () => {
    const all = await SseConnection.open(`${url}/v1/feed?from=now`, as('rita'));
    const none = await SseConnection.open(`${url}/v1/feed?from=now`, as('nora'));
    const root = await SseConnection.open(`${url}/v1/feed?from=now`, as('root'));
    try {
      expect([all.status, none.status, root.status]).toEqual([200, 200, 200]);
      expect(await feedStatus('/v1/namespaces/vault/feed', 'rita')).toBe(403);
      for (const ns of ['vault', 'shop', 'vault']) {
        expect((await http('PUT', `${url}/v1/namespaces/${ns}/entries/feed`, { value: ns }, as('root'))).status).toBeLessThan(300);
      }
      // A namespace created (and granted) after the streams opened shows up; a grant revoked stops the events at once.
      expect((await http('PUT', `${url}/v1/namespaces/later`, undefined, as('root'))).status).toBe(201);
      await grant('later', 'user:rita', 'read');
      await grant('later', 'user:nora', 'read');
      expect((await http('DELETE', `${url}/v1/namespaces/shop/grants/user:rita`, undefined, as('root'))).status).toBe(204);
      expect((await http('PUT', `${url}/v1/namespaces/shop/entries/after-revoke`, { value: 'x' }, as('root'))).status).toBe(201);
      expect((await http('PUT', `${url}/v1/namespaces/later/entries/marker`, { value: 'm' }, as('root'))).status).toBe(201);
      const seen = (c: SseConnection) => c.events.map((m) => JSON.parse(m.data!) as { namespace?: string; type: string; key?: string });
      const hasMarker = (c: SseConnection) => seen(c).some((e) => e.key === 'marker');
      await Promise.all([all.until(hasMarker), none.until(hasMarker), root.until(hasMarker)]);
      expect(seen(all).filter((e) => e.namespace !== 'later').map((e) => `${e.namespace} ${e.key}`)).toEqual(['shop feed']);
      expect(seen(none).every((e) => e.namespace === 'later')).toBe(true);
      expect(seen(root).map((e) => e.namespace)).toEqual(expect.arrayContaining(['vault', 'shop', 'later']));
      expect(seen(root).filter((e) => e.namespace === 'vault')).toHaveLength(2);
    } finally {
      for (const c of [all, none, root]) c.close();
    }
    await grant('shop', 'user:rita', 'read');
  });

  it('grants survive a restart, a rebuild, a backup and restore', async () => {
    const grantsOf = async () => (await http('GET', `${url}/v1/namespaces/shop/grants`, undefined, as('root'))).body;
    const expected = { items: [{ subject: 'role:team', access: 'read' }, { subject: 'user:ada', access: 'admin' },
      { subject: 'user:rita', access: 'read' }, { subject: 'user:will', access: 'write' }] };
    expect(await grantsOf()).toEqual(expected);
    await app.close();
    routes.length = 0;
    await start();
    expect(await grantsOf()).toEqual(expected);
    expect((await http('POST', `${url}/v1/admin/rebuild`, undefined, as('root'))).status).toBe(200);
    expect(await grantsOf()).toEqual(expected);
    expect((await http('GET', `${url}/v1/namespaces/shop/entries/k`, undefined, as('rita'))).status).toBe(200);

    const archive = join(dir, 'backup.gz');
    expect((await hexastore(['--url', url, 'backup', '-o', archive], undefined, { HEXASTORE_TOKEN: token('root') })).code).toBe(0);
    await app.close();
    removeDir(join(dir, 'data'));
    writeFileSync(configFile, `apiKeys:\n${USERS.map((u) => `  - {id: ${u}-key, sha256: "${sha256(secrets[u])}", user: ${u}, roles: [${ROLES[u].join(', ')}]}`).join('\n')}\n`);
    await start();
    const restore = await fetch(`${url}/v1/admin/restore`, {
      method: 'POST', headers: { ...as('root'), 'content-type': 'application/gzip' }, body: readFileSync(archive),
    });
    expect(restore.status).toBe(200);
    expect(await grantsOf()).toEqual(expected);
    expect((await http('GET', `${url}/v1/namespaces/shop/entries/k`, undefined, as('rita'))).status).toBe(200);
    expect((await http('GET', `${url}/v1/namespaces/vault/entries/k`, undefined, as('rita'))).status).toBe(403);
  });

  it('the config file declares grants; a reload applies the differences as events', async () => {
    writeConfig("  shared: {grants: {'user:nora': write, 'role:team': read}}");
    const reload = await http('POST', `${url}/v1/admin/reload`, undefined, as('root'));
    expect(reload.status).toBe(200);
    expect(reload.body.changes).toEqual(expect.arrayContaining([{ namespace: 'shared', change: 'grants', grants: { 'role:team': 'read', 'user:nora': 'write' } }]));
    expect((await http('PUT', `${url}/v1/namespaces/shared/entries/x`, { value: '1' }, as('nora'))).status).toBe(201);
    writeConfig("  shared: {grants: {'role:team': read}}");
    expect((await http('POST', `${url}/v1/admin/reload`, undefined, as('root'))).body.changes)
      .toEqual([{ namespace: 'shared', change: 'grants', grants: { 'role:team': 'read' } }]);
    expect((await http('PUT', `${url}/v1/namespaces/shared/entries/x`, { value: '2' }, as('nora'))).status).toBe(403);
    writeConfig("  shared: {grants: {'nobody': read}}");
    const refused = await http('POST', `${url}/v1/admin/reload`, undefined, as('root'));
    expect([refused.status, refused.body.code, refused.body.path]).toEqual([400, 'CONFIG_INVALID', 'namespaces.shared.grants.nobody']);
    writeConfig("  shared: {grants: {'user:nora': owner}}");
    expect((await http('POST', `${url}/v1/admin/reload`, undefined, as('root'))).body.code).toBe('CONFIG_INVALID');
  });

  it('refuses bad input to each grants call with a problem, and writes nothing', async () => {
    const before = await written();
    const bad: [string, string, unknown, number, string][] = [
      ['PUT', '/v1/namespaces/shop/grants/alice', { access: 'read' }, 400, 'VALIDATION_FAILED'],
      ['PUT', '/v1/namespaces/shop/grants/group:x', { access: 'read' }, 400, 'VALIDATION_FAILED'],
      ['PUT', '/v1/namespaces/shop/grants/user:', { access: 'read' }, 400, 'VALIDATION_FAILED'],
      ['PUT', `/v1/namespaces/shop/grants/user:${'x'.repeat(129)}`, { access: 'read' }, 400, 'VALIDATION_FAILED'],
      ['PUT', '/v1/namespaces/shop/grants/user:zed', { access: 'owner' }, 400, 'VALIDATION_FAILED'],
      ['PUT', '/v1/namespaces/shop/grants/user:zed', { access: 7 }, 400, 'VALIDATION_FAILED'],
      ['PUT', '/v1/namespaces/shop/grants/user:zed', {}, 400, 'VALIDATION_FAILED'],
      ['PUT', '/v1/namespaces/shop/grants/user:zed', '[', 400, 'VALIDATION_FAILED'],
      ['PUT', '/v1/namespaces/Bad!/grants/user:zed', { access: 'read' }, 400, 'NAMESPACE_INVALID'],
      ['PUT', '/v1/namespaces/missing/grants/user:zed', { access: 'read' }, 404, 'NAMESPACE_NOT_FOUND'],
      ['DELETE', '/v1/namespaces/shop/grants/user:zed', undefined, 404, 'GRANT_NOT_FOUND'],
      ['DELETE', '/v1/namespaces/shop/grants/zed', undefined, 400, 'VALIDATION_FAILED'],
      ['DELETE', '/v1/namespaces/missing/grants/user:zed', undefined, 404, 'NAMESPACE_NOT_FOUND'],
      ['GET', '/v1/namespaces/missing/grants', undefined, 404, 'NAMESPACE_NOT_FOUND'],
      ['GET', '/v1/namespaces/shop/grants/check', undefined, 400, 'VALIDATION_FAILED'],
      ['GET', '/v1/namespaces/shop/grants/check?subject=user:zed', undefined, 400, 'VALIDATION_FAILED'],
      ['GET', '/v1/namespaces/shop/grants/check?subject=zed&access=read', undefined, 400, 'VALIDATION_FAILED'],
      ['GET', '/v1/namespaces/shop/grants/check?subject=user:zed&access=all', undefined, 400, 'VALIDATION_FAILED'],
      ['GET', '/v1/namespaces/shop/grants/check?subject=user:zed&subject=user:x&access=read', undefined, 400, 'VALIDATION_FAILED'],
    ];
    for (const [method, path, body, status, code] of bad) {
      const answer = await http(method, `${url}${path}`, body, as('root'));
      expect({ path, body, status: answer.status, code: answer.body?.code, type: answer.headers.get('content-type') })
        .toEqual({ path, body, status, code, type: 'application/problem+json; charset=utf-8' });
    }
    expect(await written()).toEqual(before);
  });

  it('check answers whether a subject may; a caller may ask about itself, not about others', async () => {
    const check = (subject: string, access: string, user: User = 'root') =>
      http('GET', `${url}/v1/namespaces/shop/grants/check?subject=${subject}&access=${access}`, undefined, as(user));
    expect((await check('user:will', 'read')).body).toEqual({ allowed: true });
    expect((await check('user:will', 'admin')).body).toEqual({ allowed: false });
    expect((await check('role:team', 'read')).body).toEqual({ allowed: true });
    expect((await check('role:admin', 'admin')).body).toEqual({ allowed: true });
    expect((await check('user:will', 'write', 'will')).body).toEqual({ allowed: true });
    expect((await check('role:ops', 'read', 'will')).body).toEqual({ allowed: false });
    expect((await check('user:ada', 'read', 'will')).status).toBe(403);
  });

  it('the SDK and the CLI grant, revoke, list, check and tell who the caller is', async () => {
    const sdk = (user: User) => new StoreClient({ url, token: token(user), retry: { attempts: 1 } });
    expect(await sdk('ada').grant('shop', 'role:audit', 'read')).toEqual({ namespace: 'shop', subject: 'role:audit', access: 'read' });
    expect(await sdk('ada').checkGrant('shop', 'role:audit', 'read')).toBe(true);
    expect((await sdk('ada').listGrants('shop')).map((g) => g.subject)).toContain('role:audit');
    await sdk('ada').revoke('shop', 'role:audit');
    expect(await sdk('ada').checkGrant('shop', 'role:audit', 'read')).toBe(false);
    await expect(sdk('rita').grant('shop', 'user:rita', 'admin')).rejects.toBeInstanceOf(ForbiddenError);
    expect((await sdk('rita').whoami()).grants).toEqual([{ namespace: 'later', access: 'read' }, { namespace: 'shop', access: 'read' }]);

    const cli = (user: User, ...args: string[]) => hexastore(['--url', url, ...args], undefined, { HEXASTORE_TOKEN: token(user) });
    expect(await cli('ada', 'grant', 'shop', 'user:zoe', 'write')).toMatchObject({ code: 0, stdout: 'granted write on shop to user:zoe\n' });
    expect((await cli('ada', 'grants', 'shop')).stdout).toMatch(/user:zoe\W+write/);
    expect((await cli('ada', 'grants', 'shop', '--check', 'user:zoe', '--access', 'write')).stdout).toBe('user:zoe may write shop\n');
    expect(await cli('ada', 'revoke', 'shop', 'user:zoe')).toMatchObject({ code: 0, stdout: 'revoked the grant of user:zoe on shop\n' });
    const refused = await cli('rita', 'grant', 'shop', 'user:zoe', 'write');
    expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('FORBIDDEN')]);
    expect((await cli('rita', 'grant', 'shop', 'user:zoe', 'owner')).code).toBe(2);
    const me = await cli('will', '--json', 'whoami');
    expect(JSON.parse(me.stdout)).toEqual({ user: 'will', roles: ['ops'], grants: [{ namespace: 'shop', access: 'write' }] });
  });
});

/** A body each route takes, so that only the caller's grants can refuse it. */
function validBody(method: string, route: string): unknown {
  const bodies: Record<string, unknown> = {
    'PUT /v1/namespaces/:ns/entries/*': { value: 'v' },
    'POST /v1/namespaces/:ns/transactions': { ops: [{ op: 'put', key: 'k', value: 'v' }] },
    'POST /v1/namespaces/:ns/rollback': { pointId: 'nope' },
    'PUT /v1/namespaces/:ns/tags/:tag': { color: '#00ff88' },
    'PUT /v1/namespaces/:ns/grants/:subject': { access: 'read' },
    'PUT /v1/namespaces/:ns/schema': { schema: { type: 'object' } },
    'POST /v1/namespaces/:ns/lock': { owner: 'o', ttlSeconds: 30 },
    'PUT /v1/namespaces/:ns/lock': { token: 1, ttlSeconds: 30 },
    'POST /v1/locks/:name': { owner: 'o', ttlSeconds: 30 },
    'PUT /v1/locks/:name': { token: 1, ttlSeconds: 30 },
    'PUT /v1/consumers/:name/checkpoint': { position: 'start' },
  };
  return bodies[`${method} ${route}`] ?? {};
}

/** The status a feed answers (a stream that opens is closed at once). */
async function feedStatus(path: string, user: User): Promise<number> {
  const connection = await SseConnection.open(`${url}${path.includes('?') ? path : `${path}?from=now`}`, as(user));
  connection.close();
  return connection.status;
}
