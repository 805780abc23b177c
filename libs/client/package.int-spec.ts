import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const manifest = JSON.parse(readFileSync(join(__dirname, 'package.json'), 'utf8'));

/** The client built on its own (`npm run build:client`), into a temporary dir instead of dist/. */
describe('the @hexastore/client package', () => {
  let out: string;
  const built = (path: string) => join(out, path.replace(/^\.\/dist\//, ''));
  const files = (ext: string) => readdirSync(out).filter((f) => f.endsWith(ext)).map((f) => [f, readFileSync(join(out, f), 'utf8')] as const);

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'hexastore-client-build-'));
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'libs/client/tsconfig.json', '--outDir', out], { cwd: ROOT, stdio: 'pipe' });
  }, 60_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('is a publishable package of its own: name, entry points in its build, Node 20, no runtime dependencies', () => {
    expect(manifest).toMatchObject({
      name: '@hexastore/client',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      main: './dist/index.js',
      types: './dist/index.d.ts',
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
      engines: { node: '>=20' },
    });
    expect(manifest.private).toBeUndefined();
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.files).toEqual(expect.arrayContaining(['dist/**/*.js', 'dist/**/*.d.ts', 'README.md']));
    for (const entry of [manifest.main, manifest.types]) expect(readFileSync(built(entry), 'utf8').length).toBeGreaterThan(0);
  });

  it('its build exports the client, the feed watch and the typed errors', () => {
    const client = require(built(manifest.main));
    expect(Object.keys(client).sort()).toEqual([
      'ConflictError', 'CursorStaleError', 'FeedWatch', 'ForbiddenError', 'InvalidRequestError', 'LockLostError', 'NotFoundError', 'RateLimitedError',
      'SseParser', 'StoreClient',
      'StoreRequestError', 'StoreUnavailableError', 'UnauthorizedError', 'backoffDelay', 'isProblem', 'problemError',
    ]);
    expect(new client.StoreClient({ url: 'http://127.0.0.1:3000/' }).url).toBe('http://127.0.0.1:3000');
    const error = client.problemError({ type: 't', title: 't', status: 409, code: 'VERSION_CONFLICT', detail: 'd' });
    expect([error instanceof client.ConflictError, error instanceof client.StoreRequestError, error.code]).toEqual([true, true, 'VERSION_CONFLICT']);
  });

  it('loads from an ES module too', () => {
    const script = `import { StoreClient, isProblem } from ${JSON.stringify(built(manifest.main))}; console.log(typeof StoreClient, typeof isProblem);`;
    expect(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })).toBe('function function\n');
  });

  it('requires and references nothing outside itself: no other lib of the repo, no package', () => {
    for (const [file, text] of files('.js')) {
      const required = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
      expect([file, required.filter((r) => !r.startsWith('./'))]).toEqual([file, []]);
    }
    for (const [file, text] of files('.d.ts')) {
      const imported = [...text.matchAll(/from '([^']+)'|import\("([^"]+)"\)/g)].map((m) => m[1] ?? m[2]);
      expect([file, imported.filter((i) => !i.startsWith('./')), /\bBuffer\b|NodeJS\./.test(text)]).toEqual([file, [], false]);
    }
  });
});
