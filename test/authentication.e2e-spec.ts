/**
 * STORE_AUTH=on: every route but /health/* needs a bearer credential (an API key of the config
 * file or a JWT); events carry the authenticated user; keys hot-reload with the config file;
 * no credential reaches the logs.
 */
import { StoreClient, UnauthorizedError } from '@app/client';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SignJWT, UnsecuredJWT } from 'jose';
import { createHash, generateKeyPairSync, KeyObject, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadConfig } from '../apps/store-service/src/config/config';
import { isAdminUiRoute } from '../apps/store-service/src/http/admin-ui';
import { createHttpApp } from '../apps/store-service/src/http-app';
import { hexastore } from './support/cli';
import { http, removeDir, tempDir } from './support/service';

class LogCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'hexastore-test';

interface Service {
  app: NestFastifyApplication;
  url: string;
  routes: { method: string; url: string }[];
}

async function start(env: Record<string, string>, logStream?: NodeJS.WritableStream): Promise<Service> {
  const routes: { method: string; url: string }[] = [];
  const app = await createHttpApp(loadConfig({ LOG_LEVEL: 'silent', PORT: '0', ...env }), undefined, {
    logStream,
    onRoute: (route) => {
      for (const method of [route.method].flat()) routes.push({ method, url: route.url });
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`, routes };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

let dir: string;
let configFile: string;
const aliceSecret = randomBytes(32).toString('base64url');
const bobSecret = randomBytes(32).toString('base64url');
const ALICE = `alice-key.${aliceSecret}`;
const BOB = `bob-key.${bobSecret}`;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const otherRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const hsSecret = randomBytes(32).toString('hex');
const log = new LogCapture();
let rs: Service;
let hs: Service;

const writeKeys = (keys: { id: string; secret: string; user: string; roles: string[] }[]) =>
  writeFileSync(configFile, `namespaces:\n  billing: {grants: {'role:reader': write, 'user:erin': write}}\napiKeys:\n${keys.map((k) =>
    `  - id: ${k.id}\n    sha256: "${sha256(k.secret)}"\n    user: ${k.user}\n    roles: [${k.roles.join(', ')}]\n`).join('')}`);

const now = () => Math.floor(Date.now() / 1000);

function rsToken(claims: Record<string, unknown>, options: { key?: KeyObject; exp?: number; nbf?: number; iss?: string; aud?: string } = {}) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256' }).setSubject(String(claims.sub ?? 'carol'))
    .setIssuer(options.iss ?? ISSUER).setAudience(options.aud ?? AUDIENCE).setIssuedAt().setExpirationTime(options.exp ?? now() + 600);
  if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
  return jwt.sign(options.key ?? rsa.privateKey);
}

beforeAll(async () => {
  dir = tempDir('hexastore-auth-');
  configFile = join(dir, 'store.yaml');
  writeKeys([{ id: 'alice-key', secret: aliceSecret, user: 'alice', roles: ['admin', 'ops'] }]);
  writeFileSync(join(dir, 'jwt.pem'), rsaPublicPem);
  writeFileSync(join(dir, 'jwt.secret'), `${hsSecret}\n`);
  rs = await start({
    STORE_AUTH: 'on', STORE_DATA_DIR: join(dir, 'rs'), STORE_CONFIG: configFile, LOG_LEVEL: 'trace',
    STORE_JWT_PUBLIC_KEY_FILE: join(dir, 'jwt.pem'), STORE_JWT_ISSUER: ISSUER, STORE_JWT_AUDIENCE: AUDIENCE,
  }, log);
  hs = await start({ STORE_AUTH: 'on', STORE_DATA_DIR: join(dir, 'hs'), STORE_JWT_SECRET_FILE: join(dir, 'jwt.secret') });
});

afterAll(async () => {
  await rs?.app.close();
  await hs?.app.close();
  removeDir(dir);
});

describe('with STORE_AUTH=on', () => {
  it('no route but /health/* answers without a valid credential', async () => {
    const samples: Record<string, string> = { ns: 'billing', name: 'nope', id: 'nope' };
    const routes = rs.routes.filter((r) => r.method !== 'HEAD' || !rs.routes.some((g) => g.method === 'GET' && g.url === r.url));
    expect(routes.length).toBeGreaterThanOrEqual(30);
    for (const url of ['/v1/whoami', '/metrics', '/docs-json', '/v1/admin/restore', '/v1/namespaces/:ns/entries/*']) {
      expect(routes.map((r) => r.url)).toContain(url);
    }
    expect(routes.filter((r) => r.url.startsWith('/health/')).map((r) => r.url).sort()).toEqual(['/health/live', '/health/ready']);
    // The admin page's static files are open too: the page must load before a token can be pasted
    // into it, and it holds no data (its API calls carry the token). Only the built files and the
    // /ui redirect are open, each answered with a strict Content-Security-Policy.
    const page = routes.filter((r) => isAdminUiRoute(r.url));
    expect(page.map((r) => r.url)).toEqual(expect.arrayContaining(['/ui', '/ui/', '/ui/index.html', '/ui/main.js', '/ui/styles.css']));
    for (const route of page) {
      expect({ route: route.url, open: /^\/ui(\/|\/[\w-]+\.(html|js|css|svg))?$/.test(route.url) }).toEqual({ route: route.url, open: true });
      const response = await fetch(`${rs.url}${route.url}`, { method: route.method, redirect: 'manual' });
      expect({ route: route.url, status: response.status, csp: response.headers.get('content-security-policy') })
        .toEqual({ route: route.url, status: route.url === '/ui' ? 302 : 200, csp: expect.stringContaining("default-src 'self'") });
      const body = route.method === 'HEAD' ? '' : await response.text();
      // Nothing of the store or its configuration is in the page.
      for (const secret of [aliceSecret, 'alice', 'billing', hsSecret]) expect({ route: route.url, leaks: body.includes(secret) }).toEqual({ route: route.url, leaks: false });
    }
    const credentials: (Record<string, string>)[] = [
      {}, bearer(''), { authorization: `Basic ${Buffer.from('alice:x').toString('base64')}` }, bearer(`alice-key.${bobSecret}`),
      bearer(`nobody.${aliceSecret}`), bearer('not-a-credential'), bearer(await rsToken({ sub: 'carol' }, { key: otherRsa.privateKey })),
    ];
    let probed = 0;
    for (const route of routes.filter((r) => !isAdminUiRoute(r.url))) {
      const path = route.url.replace(/:(\w+)/g, (_, name: string) => samples[name] ?? 'x').replace(/\*$/, 'plans/pro');
      const type = path === '/v1/admin/restore' ? 'application/gzip' : 'application/json';
      for (const headers of credentials) {
        const response = await fetch(`${rs.url}${path}`, {
          method: route.method,
          headers: { ...headers, ...(['POST', 'PUT'].includes(route.method) ? { 'content-type': type } : {}) },
          body: ['POST', 'PUT'].includes(route.method) ? (type === 'application/gzip' ? Buffer.alloc(0) : '{}') : undefined,
        });
        const body = route.method === 'HEAD' ? '' : await response.text();
        const name = `${route.method} ${path} ${JSON.stringify(Object.keys(headers))}`;
        if (route.url.startsWith('/health/')) {
          expect({ name, status: response.status }).toEqual({ name, status: 200 });
        } else {
          expect({ name, status: response.status, challenge: response.headers.get('www-authenticate') })
            .toEqual({ name, status: 401, challenge: 'Bearer realm="hexastore"' });
          if (route.method !== 'HEAD') expect({ name, code: JSON.parse(body).code }).toEqual({ name, code: 'UNAUTHORIZED' });
        }
        probed++;
      }
    }
    expect(probed).toBe((routes.length - page.length) * credentials.length);
    // A path no route has: 401 too (nothing is told about what exists), under /ui as well.
    expect((await http('GET', `${rs.url}/v1/nothing-here`)).status).toBe(401);
    expect((await http('GET', `${rs.url}/ui/nothing-here.js`)).status).toBe(401);
    expect((await http('GET', `${rs.url}/ui/../package.json`)).status).toBe(401);
    // Nothing was written by any refused call.
    expect((await http('GET', `${rs.url}/v1/namespaces/billing/entries`, undefined, bearer(ALICE))).body.items).toEqual([]);
  });

  it('answers an API key of the config file, and writes its user as the actor', async () => {
    expect(await http('GET', `${rs.url}/v1/whoami`, undefined, bearer(ALICE)))
      .toMatchObject({ status: 200, body: { user: 'alice', roles: ['admin', 'ops'], grants: [] } });
    const put = await http('PUT', `${rs.url}/v1/namespaces/billing/entries/plans/pro`, { value: '20' }, bearer(ALICE));
    expect(put.status).toBe(201);
    const history = await http('GET', `${rs.url}/v1/namespaces/billing/entries/plans/pro/history`, undefined, bearer(ALICE));
    expect(history.body.items.map((i: { actor: string }) => i.actor)).toEqual(['alice']);
  });

  it('refuses a wrong secret, an unknown id, a key with no id', async () => {
    for (const credential of [`alice-key.${bobSecret}`, `alice-key.${aliceSecret}x`, `bob-key.${aliceSecret}`, `.${aliceSecret}`, aliceSecret]) {
      const answer = await http('GET', `${rs.url}/v1/whoami`, undefined, bearer(credential));
      expect({ credential, status: answer.status, code: answer.body.code }).toEqual({ credential, status: 401, code: 'UNAUTHORIZED' });
      expect(JSON.stringify(answer.body)).not.toContain(aliceSecret);
    }
  });

  it('takes the keys of the config file as it is reloaded', async () => {
    writeKeys([{ id: 'bob-key', secret: bobSecret, user: 'bob', roles: ['admin'] }]);
    expect((await http('POST', `${rs.url}/v1/admin/reload`, undefined, bearer(ALICE))).status).toBe(200);
    expect((await http('GET', `${rs.url}/v1/whoami`, undefined, bearer(ALICE))).status).toBe(401);
    expect((await http('GET', `${rs.url}/v1/whoami`, undefined, bearer(BOB))).body).toEqual({ user: 'bob', roles: ['admin'], grants: [] });
    // A file that does not parse changes nothing: bob's key stays.
    writeFileSync(configFile, 'apiKeys:\n  - {id: bob-key, sha256: nope, user: bob}\n');
    expect((await http('POST', `${rs.url}/v1/admin/reload`, undefined, bearer(BOB))).body.code).toBe('CONFIG_INVALID');
    expect((await http('GET', `${rs.url}/v1/whoami`, undefined, bearer(BOB))).status).toBe(200);
    writeKeys([{ id: 'alice-key', secret: aliceSecret, user: 'alice', roles: ['admin', 'ops'] }]);
    expect((await http('POST', `${rs.url}/v1/admin/reload`, undefined, bearer(BOB))).status).toBe(200);
    expect((await http('GET', `${rs.url}/v1/whoami`, undefined, bearer(BOB))).status).toBe(401);
  });

  it('answers an RS256 JWT: sub is the user, roles the roles; the SDK sends its token', async () => {
    const token = await rsToken({ sub: 'carol', roles: ['reader'] });
    expect((await http('GET', `${rs.url}/v1/whoami`, undefined, bearer(token))).body)
      .toEqual({ user: 'carol', roles: ['reader'], grants: [{ namespace: 'billing', access: 'write' }] });
    const store = new StoreClient({ url: rs.url, token, retry: { attempts: 1 } });
    await store.put('billing', 'plans/basic', '10');
    const actors: string[] = [];
    for await (const item of store.history('billing', 'plans/basic')) actors.push(item.actor);
    expect(actors).toEqual(['carol']);
    await expect(new StoreClient({ url: rs.url, retry: { attempts: 1 } }).whoami()).rejects.toBeInstanceOf(UnauthorizedError);
  });

  it("the SDK's change feed and the CLI send the token (--token or HEXASTORE_TOKEN)", async () => {
    const token = await rsToken({ sub: 'erin' });
    const store = new StoreClient({ url: rs.url, token, retry: { attempts: 1 } });
    await store.put('billing', 'feed/k', 'v');
    const seen: string[] = [];
    for await (const event of store.watch({ namespace: 'billing', prefix: 'feed/', from: 'start' })) {
      seen.push(`${event.key} ${event.actor}`);
      break;
    }
    expect(seen).toEqual(['feed/k erin']);
    await expect(async () => {
      for await (const _ of new StoreClient({ url: rs.url, retry: { attempts: 1 } }).watch({ from: 'start', reconnect: { maxAttempts: 0 } })) break;
    }).rejects.toBeInstanceOf(UnauthorizedError);

    const refused = await hexastore(['--url', rs.url, '--json', 'get', 'billing', 'plans/pro']);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain('UNAUTHORIZED');
    const byFlag = await hexastore(['--url', rs.url, '--token', ALICE, 'get', 'billing', 'plans/pro', '--raw']);
    expect({ code: byFlag.code, stdout: byFlag.stdout }).toEqual({ code: 0, stdout: '20' });
    const byEnv = await hexastore(['--url', rs.url, 'get', 'billing', 'plans/pro', '--raw'], undefined, { HEXASTORE_TOKEN: ALICE });
    expect({ code: byEnv.code, stdout: byEnv.stdout }).toEqual({ code: 0, stdout: '20' });
    const wrong = await hexastore(['--url', rs.url, 'get', 'billing', 'plans/pro'], undefined, { HEXASTORE_TOKEN: BOB });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).not.toContain(bobSecret);
  });

  it('refuses expired, not yet valid, wrongly signed, unsigned and algorithm-confused JWTs, and wrong iss/aud', async () => {
    const publicKeyAsSecret = new TextEncoder().encode(rsaPublicPem);
    const refused: Record<string, string> = {
      expired: await rsToken({ sub: 'carol' }, { exp: now() - 120 }),
      'not yet valid': await rsToken({ sub: 'carol' }, { nbf: now() + 3600 }),
      'wrong signature': await rsToken({ sub: 'carol' }, { key: otherRsa.privateKey }),
      'alg none': new UnsecuredJWT({ sub: 'carol' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime(now() + 600).encode(),
      'HS256 signed with the RSA public key': await new SignJWT({ sub: 'carol' }).setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime(now() + 600).sign(publicKeyAsSecret),
      'wrong issuer': await rsToken({ sub: 'carol' }, { iss: 'https://elsewhere.test' }),
      'wrong audience': await rsToken({ sub: 'carol' }, { aud: 'another-service' }),
      'no exp': await new SignJWT({ sub: 'carol' }).setProtectedHeader({ alg: 'RS256' }).setIssuer(ISSUER).setAudience(AUDIENCE).sign(rsa.privateKey),
      'roles not a list': await rsToken({ sub: 'carol', roles: 'admin' }),
      'signature of another token': (await rsToken({ sub: 'carol' })).replace(/\.[^.]+$/, `.${(await rsToken({ sub: 'mallory' })).split('.')[2]}`),
    };
    for (const [name, token] of Object.entries(refused)) {
      const answer = await http('GET', `${rs.url}/v1/whoami`, undefined, bearer(token));
      expect({ name, status: answer.status, code: answer.body.code }).toEqual({ name, status: 401, code: 'UNAUTHORIZED' });
    }
    // The same refusals on the service that takes HS256: a token signed for it passes, none of the others.
    const hsKey = new TextEncoder().encode(hsSecret);
    const hsToken = (exp: number, key = hsKey) => new SignJWT({ sub: 'dave', roles: ['ops'] }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(exp).sign(key);
    expect((await http('GET', `${hs.url}/v1/whoami`, undefined, bearer(await hsToken(now() + 600)))).body).toEqual({ user: 'dave', roles: ['ops'], grants: [] });
    for (const token of [await hsToken(now() - 120), await hsToken(now() + 600, randomBytes(32)), await rsToken({ sub: 'carol' }),
      new UnsecuredJWT({ sub: 'dave' }).setExpirationTime(now() + 600).encode(), ALICE]) {
      expect((await http('GET', `${hs.url}/v1/whoami`, undefined, bearer(token))).status).toBe(401);
    }
  });

  it('writes no credential to the logs at any level', async () => {
    const token = await rsToken({ sub: 'carol' });
    await http('GET', `${rs.url}/v1/whoami`, undefined, { ...bearer(token), 'x-request-id': 'auth-log-1' });
    await http('GET', `${rs.url}/v1/whoami`, undefined, bearer(`alice-key.${aliceSecret}-wrong`));
    await http('GET', `${rs.url}/v1/whoami`, undefined, bearer(`${token}x`));
    for (let i = 0; i < 200 && !log.text.includes('auth-log-1'); i++) await new Promise((r) => setTimeout(r, 25));
    const lines = log.text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    expect(lines.find((l) => l.requestId === 'auth-log-1' && l.msg === 'request')).toMatchObject({ actor: 'carol', status: 200 });
    expect(lines.some((l) => l.status === 401)).toBe(true);
    for (const secret of [aliceSecret, bobSecret, token.split('.')[2], token.split('.')[1], hsSecret, 'Bearer']) {
      expect({ secret: secret.slice(0, 8), logged: log.text.includes(secret) }).toEqual({ secret: secret.slice(0, 8), logged: false });
    }
  });
});
