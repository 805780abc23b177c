/**
 * The audit trail (who did what to a namespace, read from the log) and the access audit (every
 * call, allowed or not, kept apart from the log) through HTTP with authentication on.
 */
import { StoreClient } from '@app/client';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { hexastore } from './support/cli';
import { http, removeDir, RunningService, startService, tempDir } from './support/service';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const USERS = ['alice', 'carol', 'bob'] as const;
type User = (typeof USERS)[number];
const secrets = Object.fromEntries(USERS.map((u) => [u, randomBytes(32).toString('base64url')])) as Record<User, string>;
const tokens = Object.fromEntries(USERS.map((u) => [u, `${u}-key.${secrets[u]}`])) as Record<User, string>;
const roles: Record<User, string[]> = { alice: ['admin'], carol: ['admin'], bob: [] };
const SECRET_VALUE = 'value-that-must-never-be-audited-7f3a';

let dir: string;
let dataDir: string;
let service: RunningService;
const env = () => ({ STORE_AUTH: 'on', STORE_CONFIG: join(dir, 'store.yaml') });
const as = (user: User | undefined, headers: Record<string, string> = {}) =>
  (user ? { authorization: `Bearer ${tokens[user]}`, ...headers } : headers);
const call = (method: string, path: string, user?: User, body?: unknown, headers: Record<string, string> = {}) =>
  http(method, `${service.url}${path}`, body, as(user, headers));

beforeAll(async () => {
  dir = tempDir('hexastore-audit-');
  dataDir = join(dir, 'data');
  writeFileSync(join(dir, 'store.yaml'), `apiKeys:\n${USERS.map((u) =>
    `  - id: ${u}-key\n    sha256: "${sha256(secrets[u])}"\n    user: ${u}\n    roles: [${roles[u].join(', ')}]\n`).join('')}`);
  service = await startService({ dataDir, env: env() });
  expect((await call('PUT', '/v1/namespaces/ledger', 'alice')).status).toBe(201);
  for (const [user, key] of [['alice', 'a'], ['carol', 'b'], ['alice', 'c'], ['carol', 'd']] as const) {
    expect((await call('PUT', `/v1/namespaces/ledger/entries/${key}`, user, { value: SECRET_VALUE })).status).toBe(201);
  }
  expect((await call('DELETE', '/v1/namespaces/ledger/entries/a', 'carol')).status).toBe(204);
});
afterAll(async () => {
  await service?.close();
  if (dir) removeDir(dir);
});

describe('audit trail', () => {
  const trail = async (query = '', user: User = 'alice') => call('GET', `/v1/namespaces/ledger/audit${query}`, user);

  it('lists every event of the namespace, oldest first, with who, what and when, and never a value', async () => {
    const { status, body } = await trail();
    expect(status).toBe(200);
    expect(body.items.map((i: { type: string; key: string | null; actor: string }) => [i.type, i.key, i.actor])).toEqual([
      ['StoreNamespaceCreated', null, 'alice'],
      ['StoreEntryCreated', 'a', 'alice'],
      ['StoreEntryCreated', 'b', 'carol'],
      ['StoreEntryCreated', 'c', 'alice'],
      ['StoreEntryCreated', 'd', 'carol'],
      ['StoreEntryDeleted', 'a', 'carol'],
    ]);
    expect(body.items.map((i: { revision: number }) => i.revision)).toEqual([0, 1, 2, 3, 4, 5]);
    for (const item of body.items) {
      expect(Object.keys(item).sort()).toEqual(['actor', 'causationId', 'correlationId', 'key', 'position', 'revision', 'timestamp', 'type']);
    }
    expect(body.nextCursor).toBeNull();
    expect(JSON.stringify(body)).not.toContain(SECRET_VALUE);
  });

  it('filters by actor, by type and by time', async () => {
    expect((await trail('?actor=carol')).body.items.map((i: { key: string }) => i.key)).toEqual(['b', 'd', 'a']);
    expect((await trail('?type=StoreEntryDeleted')).body.items.map((i: { actor: string }) => i.actor)).toEqual(['carol']);
    expect((await trail('?actor=carol&type=StoreEntryCreated')).body.items.map((i: { key: string }) => i.key)).toEqual(['b', 'd']);
    expect((await trail('?actor=nobody')).body.items).toEqual([]);
    const all = (await trail()).body.items as { revision: number; timestamp: string }[];
    const pivot = all[3].timestamp;
    const from = (await trail(`?from=${encodeURIComponent(pivot)}`)).body.items as { revision: number }[];
    const to = (await trail(`?to=${encodeURIComponent(pivot)}`)).body.items as { revision: number }[];
    expect(from.map((i) => i.revision)).toEqual(all.filter((i) => i.timestamp >= pivot).map((i) => i.revision));
    expect(to.map((i) => i.revision)).toEqual(all.filter((i) => i.timestamp < pivot).map((i) => i.revision));
    expect([...to, ...from].map((i) => i.revision)).toEqual(all.map((i) => i.revision));
    expect((await trail('?from=2000-01-01&to=2000-01-02')).body.items).toEqual([]);
  });

  it('pages with signed cursors, filters kept', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body }: { status: number; body: { items: { key: string }[]; nextCursor: string | null } } =
        await trail(`?actor=carol&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(status).toBe(200);
      seen.push(...body.items.map((i) => i.key));
      cursor = body.nextCursor;
    } while (cursor !== null && ++pages < 10);
    expect(seen).toEqual(['b', 'd', 'a']);
  });

  it('refuses bad filters, limits and cursors with 400 and an unknown namespace with 404', async () => {
    const first = (await trail('?limit=1')).body.nextCursor as string;
    const tampered = `${first.slice(0, -2)}${first.endsWith('AA') ? 'AB' : 'AA'}`;
    for (const [query, code] of [
      [`?cursor=${encodeURIComponent(tampered)}`, 'CURSOR_INVALID'],
      ['?cursor=not-a-cursor', 'CURSOR_INVALID'],
      ['?from=yesterday', 'VALIDATION_FAILED'],
      ['?to=2026-13-45T00:00:00Z', 'VALIDATION_FAILED'],
      ['?from=2026-02-01&to=2026-01-01', 'VALIDATION_FAILED'],
      ['?type=DROP%20TABLE', 'VALIDATION_FAILED'],
      ['?actor=', 'VALIDATION_FAILED'],
      ['?actor=a&actor=b', 'VALIDATION_FAILED'],
      ['?limit=0', 'VALIDATION_FAILED'],
      ['?limit=1001', 'VALIDATION_FAILED'],
    ] as const) {
      const { status, body, headers } = await trail(query);
      expect([query, status, body.code]).toEqual([query, 400, code]);
      expect(headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await call('GET', '/v1/namespaces/ghost/audit', 'alice')).body).toMatchObject({ status: 404, code: 'NAMESPACE_NOT_FOUND' });
    expect((await call('GET', '/v1/namespaces/No!/audit', 'alice')).body).toMatchObject({ status: 400, code: 'NAMESPACE_INVALID' });
  });

  it('is a read model like the others: a rebuild from the log gives the same trail', async () => {
    const before = (await trail()).body;
    const rebuilt = await call('POST', '/v1/admin/rebuild', 'alice');
    expect(rebuilt.status).toBe(200);
    expect((await trail()).body).toEqual(before);
  });

  it('is read through the SDK too, with Date bounds', async () => {
    const store = new StoreClient({ url: service.url, token: tokens.alice, retry: { attempts: 1 } });
    const items = [];
    for await (const item of store.auditTrail('ledger', { actor: 'alice', from: new Date(0), limit: 1 })) items.push(item.key);
    expect(items).toEqual([null, 'a', 'c']);
  });
});

describe('on the command line', () => {
  const cli = (args: string[], user: User = 'alice') => hexastore(['--url', service.url, ...args], undefined, { HEXASTORE_TOKEN: tokens[user] });

  it('hexastore audit lists the trail with its filters, as a table or JSON', async () => {
    const table = await cli(['audit', 'ledger', '--actor', 'carol', '--type', 'StoreEntryCreated']);
    expect([table.code, table.stderr]).toEqual([0, '']);
    expect(table.stdout).toMatch(/revision.*time.*type.*key.*actor/);
    expect(table.stdout.match(/StoreEntryCreated/g)).toHaveLength(2);
    const json = await cli(['--json', 'audit', 'ledger', '--limit', '2', '--from', '2000-01-01T00:00:00Z']);
    expect(json.code).toBe(0);
    const page = JSON.parse(json.stdout);
    expect(page.items.map((i: { revision: number }) => i.revision)).toEqual([0, 1]);
    const next = JSON.parse((await cli(['--json', 'audit', 'ledger', '--limit', '2', '--cursor', page.nextCursor])).stdout);
    expect(next.items.map((i: { revision: number }) => i.revision)).toEqual([2, 3]);
    const bad = await cli(['audit', 'ledger', '--from', 'soon']);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('VALIDATION_FAILED')]);
  });

  it('hexastore access-audit lists the calls; refuses an unknown outcome before calling; 403 for a non-admin', async () => {
    const json = await cli(['--json', 'access-audit', 'ledger', '--outcome', 'allowed', '--limit', '3']);
    expect(json.code).toBe(0);
    const page = JSON.parse(json.stdout);
    expect(page.items).toHaveLength(3);
    expect(page.items.every((i: { outcome: string }) => i.outcome === 'allowed')).toBe(true);
    const usage = await cli(['access-audit', 'ledger', '--outcome', 'maybe']);
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringContaining('--outcome is one of')]);
    const forbidden = await cli(['access-audit', 'ledger'], 'bob');
    expect([forbidden.code, forbidden.stderr]).toEqual([1, expect.stringContaining('FORBIDDEN')]);
  });
});

describe('access audit', () => {
  const audit = (query = '', user: User = 'alice') => call('GET', `/v1/namespaces/ledger/access-audit${query}`, user);

  // bob may read the namespace (a grant), but reading its access audit needs namespace admin.
  beforeAll(async () => {
    expect((await call('PUT', '/v1/namespaces/ledger/grants/user:bob', 'alice', { access: 'read' })).status).toBe(200);
  });

  it('records allowed, rejected and denied calls (401 with no actor) with operation, key, status and request id', async () => {
    expect((await call('GET', '/v1/namespaces/ledger/entries/b', 'bob', undefined, { 'x-request-id': 'probe-allowed' })).status).toBe(200);
    expect((await call('GET', '/v1/namespaces/ledger/entries/zz', 'carol', undefined, { 'x-request-id': 'probe-missing' })).status).toBe(404);
    expect((await call('GET', '/v1/namespaces/ledger/entries/b', undefined, undefined, { 'x-request-id': 'probe-anonymous' })).status).toBe(401);
    const forged = { authorization: `Bearer alice-key.${randomBytes(32).toString('base64url')}`, 'x-request-id': 'probe-forged' };
    expect((await http('GET', `${service.url}/v1/namespaces/ledger/entries/b`, undefined, forged)).status).toBe(401);
    expect((await call('GET', '/v1/namespaces/ledger/access-audit', 'bob', undefined, { 'x-request-id': 'probe-forbidden' })).body)
      .toMatchObject({ status: 403, code: 'FORBIDDEN' });

    const { status, body } = await audit('?limit=1000');
    expect(status).toBe(200);
    const byId = new Map(body.items.map((i: { requestId: string }) => [i.requestId, i]));
    expect(byId.get('probe-allowed')).toMatchObject({
      actor: 'bob', operation: 'GET /v1/namespaces/:ns/entries/*', namespace: 'ledger', key: 'b', outcome: 'allowed', status: 200,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(byId.get('probe-missing')).toMatchObject({ actor: 'carol', key: 'zz', outcome: 'rejected', status: 404 });
    expect(byId.get('probe-anonymous')).toMatchObject({ actor: null, key: 'b', outcome: 'denied', status: 401 });
    expect(byId.get('probe-forged')).toMatchObject({ actor: null, outcome: 'denied', status: 401 });
    expect(byId.get('probe-forbidden')).toMatchObject({
      actor: 'bob', operation: 'GET /v1/namespaces/:ns/access-audit', key: null, outcome: 'denied', status: 403,
    });
    // The writes of the setup, newest first.
    const writes = body.items.filter((i: { operation: string }) => i.operation === 'PUT /v1/namespaces/:ns/entries/*');
    expect(writes.map((i: { key: string; actor: string }) => [i.key, i.actor])).toEqual([['d', 'carol'], ['c', 'alice'], ['b', 'carol'], ['a', 'alice']]);
    const ids = body.items.map((i: { id: number }) => i.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it('filters by actor and outcome and pages newest first with signed cursors', async () => {
    const denied = (await audit('?outcome=denied')).body.items as { actor: string | null; status: number }[];
    expect(denied.length).toBeGreaterThanOrEqual(3);
    expect(denied.every((i) => i.status === 401 || i.status === 403)).toBe(true);
    const bobs = (await audit('?actor=bob')).body.items as { actor: string }[];
    expect(bobs.length).toBeGreaterThanOrEqual(2);
    expect(bobs.every((i) => i.actor === 'bob')).toBe(true);
    const whole = (await audit('?actor=carol')).body.items as { id: number }[];
    const paged: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { body }: { body: { items: { id: number }[]; nextCursor: string | null } } =
        await audit(`?actor=carol&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      paged.push(...body.items.map((i) => i.id));
      cursor = body.nextCursor;
    } while (cursor !== null && ++pages < 20);
    expect(paged).toEqual(whole.map((i) => i.id));
    expect(paged.length).toBeGreaterThan(2);
  });

  it('refuses bad filters and cursors with 400; only admins read it (403, and 401 without a credential)', async () => {
    const first = (await audit('?limit=1')).body.nextCursor as string;
    for (const [query, code] of [
      [`?cursor=${encodeURIComponent(`${first.slice(0, -2)}${first.endsWith('AA') ? 'AB' : 'AA'}`)}`, 'CURSOR_INVALID'],
      ['?outcome=maybe', 'VALIDATION_FAILED'],
      ['?actor=%20', 'VALIDATION_FAILED'],
      ['?limit=-1', 'VALIDATION_FAILED'],
    ] as const) {
      const { status, body } = await audit(query);
      expect([query, status, body.code]).toEqual([query, 400, code]);
    }
    expect((await audit('', 'bob')).status).toBe(403);
    expect((await call('GET', '/v1/namespaces/ledger/access-audit')).status).toBe(401);
    expect((await call('GET', '/v1/namespaces/No!/access-audit', 'alice')).body.code).toBe('NAMESPACE_INVALID');
  });

  it('is not in the event log, the feed, the audit trail or a backup; holds no credential and no value', async () => {
    await call('GET', '/v1/namespaces/ledger/entries/c', 'carol', undefined, { 'x-request-id': 'probe-apart-3b9d' });
    const audited = (await audit('?actor=carol&limit=5')).body.items.map((i: { requestId: string }) => i.requestId);
    expect(audited).toContain('probe-apart-3b9d');
    const files = (name: string) => [name, `${name}-wal`].filter((f) => existsSync(join(dataDir, f))).map((f) => readFileSync(join(dataDir, f)));
    const log = Buffer.concat(files('hexastore.db'));
    expect(log.includes('probe-apart-3b9d')).toBe(false);
    const backup = await fetch(`${service.url}/v1/admin/backup`, { method: 'POST', headers: { 'content-type': 'application/json', ...as('alice') } });
    expect(backup.status).toBe(200);
    const archive = gunzipSync(Buffer.from(await backup.arrayBuffer()));
    expect(archive.includes('StoreEntryCreated')).toBe(true);
    expect(archive.includes('probe-apart-3b9d')).toBe(false);
    expect(archive.includes('access-audit')).toBe(false);
    const trail = (await call('GET', '/v1/namespaces/ledger/audit', 'alice')).body.items.map((i: { causationId: string }) => i.causationId);
    expect(trail).not.toContain('probe-apart-3b9d');

    const stored = Buffer.concat(files('access-audit.db'));
    expect(stored.includes('probe-apart-3b9d')).toBe(true);
    for (const secret of [...Object.values(secrets), SECRET_VALUE, sha256(secrets.alice)]) expect(stored.includes(secret)).toBe(false);
  });

  it('survives a restart', async () => {
    const before = (await audit('?limit=1000')).body.items as { id: number }[];
    await service.close();
    service = await startService({ dataDir, env: env() });
    const after = (await audit('?limit=1000')).body.items as { id: number }[];
    // After the restart: the read just made, then everything from before.
    expect(after.slice(1).map((i) => i.id)).toEqual(before.map((i) => i.id));
    expect(after[0].id).toBeGreaterThan(before[0].id);
  });
});
