import { ApiKeys } from '@app/store';
import { SignJWT } from 'jose';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Authenticator, isPublicRoute, loadJwtKeys } from './authentication';

describe('Authenticator', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'hexastore-authn-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const pem = (key: { publicKey: { export(o: object): string | Buffer } }) => key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const exp = () => Math.floor(Date.now() / 1000) + 600;

  it('takes ES256 tokens with a P-256 key, and no other algorithm', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const keys = await loadJwtKeys({ mode: 'on', jwtPublicKeyFile: file('ec.pem', pem(ec)) });
    expect(keys.map((k) => k.algorithm)).toEqual(['ES256']);
    const authenticator = new Authenticator({ mode: 'on' }, new ApiKeys(), keys);
    const token = await new SignJWT({ roles: ['ops'] }).setProtectedHeader({ alg: 'ES256' }).setSubject('frank').setExpirationTime(exp()).sign(ec.privateKey);
    await expect(authenticator.authenticate(`Bearer ${token}`)).resolves.toEqual({ user: 'frank', roles: ['ops'] });
    // The same claims under HS256, keyed with the public key's PEM: the algorithm is not the key's.
    const confused = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('frank').setExpirationTime(exp())
      .sign(new TextEncoder().encode(pem(ec)));
    await expect(authenticator.authenticate(`Bearer ${confused}`)).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('algorithm') });
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject('frank').setExpirationTime(exp()).sign(other.privateKey);
    await expect(authenticator.authenticate(`Bearer ${forged}`)).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringContaining('signature') });
  });

  it('refuses key files that hold no usable key, without quoting them', async () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    await expect(loadJwtKeys({ mode: 'on', jwtPublicKeyFile: file('p384.pem', pem(p384)) })).rejects.toThrow(/holds a key of type ec; RS256 needs an RSA key, ES256 a P-256 key/);
    await expect(loadJwtKeys({ mode: 'on', jwtPublicKeyFile: file('junk.pem', 'junk-key-material') })).rejects.toThrow(/is not a PEM public key/);
    await expect(loadJwtKeys({ mode: 'on', jwtSecretFile: file('short', 'x'.repeat(31) + '\n') })).rejects.toThrow(/holds 31 bytes; an HS256 secret needs at least 32/);
    await expect(loadJwtKeys({ mode: 'on', jwtPublicKeyFile: file('junk2.pem', 'junk-key-material') })).rejects.not.toThrow(/junk-key-material/);
    const secret = randomBytes(32).toString('hex');
    expect((await loadJwtKeys({ mode: 'on', jwtSecretFile: file('ok', `${secret}\n`) }))[0]).toEqual({ algorithm: 'HS256', key: new TextEncoder().encode(secret) });
  });

  it('tells an API key from a JWT by its shape, and refuses what is neither', async () => {
    const authenticator = new Authenticator({ mode: 'on' }, new ApiKeys(), []);
    for (const header of [undefined, '', 'Bearer', 'Basic abc', 'Bearer a.b.c.d', 'Bearer nodot', 'Bearer a.b c']) {
      await expect(authenticator.authenticate(header)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    await expect(authenticator.authenticate('Bearer x.y.z')).rejects.toThrow(/JWTs are not accepted here/);
    expect(authenticator.enabled).toBe(true);
    expect(new Authenticator({ mode: 'off-insecure' }, new ApiKeys(), []).enabled).toBe(false);
  });

  it('leaves only the health probes and the admin page\'s static files open', () => {
    expect(['/health/live', '/health/ready'].every(isPublicRoute)).toBe(true);
    expect(['/health', '/metrics', '/docs', '/docs-json', '/v1/whoami', '/v1/health/live', undefined].some(isPublicRoute)).toBe(false);
    // The admin page's static files, and nothing that only starts like them.
    expect(['/ui', '/ui/', '/ui/main.js', '/ui/styles.css'].every(isPublicRoute)).toBe(true);
    expect(['/uix', '/ui-admin', '/v1/ui', '/v1/ui/main.js'].some(isPublicRoute)).toBe(false);
  });
});
