/**
 * Rate limits per caller (429 RATE_LIMITED with Retry-After; the authenticated user, or the client
 * address while authentication is off) and the feed's stream cap per user.
 */
import { RateLimitedError, StoreClient } from '@app/client';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, removeDir, RunningService, startService, tempDir } from './support/service';
import { SseConnection } from './support/sse';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const USERS = ['root', 'ann', 'ben', 'cat'] as const;
type User = (typeof USERS)[number];
const secrets = Object.fromEntries(USERS.map((u) => [u, randomBytes(32).toString('base64url')])) as Record<User, string>;
const token = (user: User) => `${user}-key.${secrets[user]}`;
const as = (user: User, headers: Record<string, string> = {}) => ({ authorization: `Bearer ${token(user)}`, ...headers });
const LIMIT = 3;

let dir: string;
const services: RunningService[] = [];

async function start(env: Record<string, string>): Promise<RunningService> {
  const service = await startService({ dataDir: join(dir, `data-${services.length}`), env });
  services.push(service);
  return service;
}

const authOn = () => ({ STORE_AUTH: 'on', STORE_CONFIG: join(dir, 'store.yaml') });

beforeAll(() => {
  dir = tempDir('hexastore-limits-');
  writeFileSync(join(dir, 'store.yaml'), `namespaces:\n  shop: {}\napiKeys:\n${USERS.map((u) =>
    `  - id: ${u}-key\n    sha256: "${sha256(secrets[u])}"\n    user: ${u}\n    roles: [admin]\n`).join('')}`);
});
afterAll(async () => {
  for (const service of services) await service.close();
  removeDir(dir);
});

describe('rate limits per user (STORE_AUTH=on)', () => {
  let service: RunningService;
  const get = (user: User, path: string, headers: Record<string, string> = {}) => http('GET', `${service.url}${path}`, undefined, as(user, headers));

  beforeAll(async () => {
    service = await start({ ...authOn(), RATE_LIMIT_REQUESTS: String(LIMIT), RATE_LIMIT_WINDOW_MS: '600000' });
  });

  it(`answers the call past ${LIMIT} in the window 429 RATE_LIMITED with Retry-After; another user is not limited; /health is exempt`, async () => {
    for (let i = 0; i < LIMIT; i++) expect((await get('ann', '/v1/namespaces/shop')).status).toBe(200);
    const refused = await get('ann', '/v1/namespaces/shop', { 'x-request-id': 'ann-limited' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', status: 429, limit: LIMIT, windowMs: 600000 });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 600).toBe(true);
    expect(refused.body.retryAfterSeconds).toBe(retryAfter);
    // Any route counts against the same budget.
    expect((await get('ann', '/v1/whoami')).status).toBe(429);
    expect((await http('GET', `${service.url}/health/live`)).status).toBe(200);
    expect((await http('GET', `${service.url}/health/ready`)).status).toBe(200);
    // Another user from the same address has a budget of its own.
    expect((await get('ben', '/v1/namespaces/shop')).status).toBe(200);
    // The refused call is in the access audit as limited.
    const audit = await get('root', '/v1/namespaces/shop/access-audit?outcome=limited');
    expect(audit.body.items.map((i: { requestId: string; actor: string; status: number }) => [i.requestId, i.actor, i.status]))
      .toContainEqual(['ann-limited', 'ann', 429]);
  });

  it('a refused call writes nothing', async () => {
    for (let i = 0; i < LIMIT; i++) expect((await get('cat', '/v1/namespaces/shop')).status).toBe(200);
    const refused = await http('PUT', `${service.url}/v1/namespaces/shop/entries/refused`, { value: 'x' }, as('cat'));
    expect([refused.status, refused.body.code]).toEqual([429, 'RATE_LIMITED']);
    expect((await get('ben', '/v1/namespaces/shop/entries/refused')).status).toBe(404);
    const trail = await get('ben', '/v1/namespaces/shop/audit');
    expect(trail.body.items.map((i: { key: string | null }) => i.key)).not.toContain('refused');
  });

  it('the SDK surfaces it as RateLimitedError with retryAfter', async () => {
    const store = new StoreClient({ url: service.url, token: token('ann'), retry: { attempts: 3, baseDelayMs: 1 } });
    const error = await store.get('shop', 'anything').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).code).toBe('RATE_LIMITED');
    expect((error as RateLimitedError).retryAfter).toBeGreaterThanOrEqual(1);
  });
});

describe('rate limits per address (STORE_AUTH=off)', () => {
  it('counts every call from the address', async () => {
    const service = await start({ RATE_LIMIT_REQUESTS: '2', RATE_LIMIT_WINDOW_MS: '600000' });
    expect((await http('GET', `${service.url}/v1/namespaces`)).status).toBe(200);
    expect((await http('GET', `${service.url}/v1/whoami`)).status).toBe(200);
    const refused = await http('GET', `${service.url}/v1/namespaces`);
    expect([refused.status, refused.body.code]).toEqual([429, 'RATE_LIMITED']);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('feed stream cap per user (STORE_AUTH=on)', () => {
  it('counts the streams of a user, not of an address', async () => {
    const service = await start({ ...authOn(), FEED_MAX_STREAMS_PER_CALLER: '1' });
    const first = await SseConnection.open(`${service.url}/v1/feed`, as('ann'));
    try {
      expect(first.status).toBe(200);
      const second = await http('GET', `${service.url}/v1/feed`, undefined, as('ann'));
      expect([second.status, second.body.code]).toEqual([429, 'TOO_MANY_STREAMS']);
      const other = await SseConnection.open(`${service.url}/v1/feed`, as('ben'));
      expect(other.status).toBe(200);
      other.close();
    } finally {
      first.close();
    }
  });
});
