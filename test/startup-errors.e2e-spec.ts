import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KeyVault } from '../libs/store/src/crypto/key-vault';
import { MAIN, removeDir, tempDir, vacantPort } from './support/service';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built service (`npm run build`) until it exits; stderr is a pipe, not a terminal. */
function runService(env: Record<string, string>): Promise<Exit> {
  return new Promise((done, fail) => {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(STORE_|EVENTSTORE_|PORT$|HOST$)/.test(name)));
    const child = spawn(process.execPath, [MAIN], {
      env: { ...inherited, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Exit code 1 and exactly one line on stderr, `hexastore: …`, without colour codes. */
function expectOneLine(exit: Exit, pattern: RegExp): void {
  expect({ code: exit.code, lines: exit.stderr.split('\n').length - 1 }).toEqual({ code: 1, lines: 1 });
  expect(exit.stderr).toMatch(/^hexastore: [^\n]+\n$/);
  expect(exit.stderr).not.toContain('\x1b[');
  expect(exit.stderr).not.toMatch(/\n\s+at /);
  expect(exit.stderr).toMatch(pattern);
}

describe('start-up errors stop the service with exit code 1 and one line naming the problem', () => {
  let dir: string;
  beforeAll(() => (dir = tempDir('hexastore-startup-')));
  afterAll(() => removeDir(dir));

  it('a data dir under a regular file', async () => {
    writeFileSync(join(dir, 'plain-file'), 'x');
    const dataDir = join(dir, 'plain-file', 'data');
    const exit = await runService({ STORE_DATA_DIR: dataDir });
    expectOneLine(exit, /^hexastore: cannot use STORE_DATA_DIR .*plain-file\/data: .*not a directory \(ENOTDIR\)/);
    expect(exit.stderr).toContain(dataDir);
  });

  it('a data dir that is a regular file', async () => {
    const dataDir = join(dir, 'data-file');
    writeFileSync(dataDir, 'x');
    expectOneLine(await runService({ STORE_DATA_DIR: dataDir }), /^hexastore: cannot use STORE_DATA_DIR .*data-file: .*(ENOTDIR|EEXIST)/);
  });

  it('a database file that is not a database', async () => {
    const dataDir = join(dir, 'garbage');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'hexastore.db'), 'this is not an SQLite database, not even close'.repeat(100));
    const exit = await runService({ STORE_DATA_DIR: dataDir });
    expectOneLine(exit, /^hexastore: cannot open the database .*garbage\/hexastore\.db: .*\(SQLITE_NOTADB\)/);
  });

  it('a database path that is a directory', async () => {
    const dataDir = join(dir, 'db-dir');
    mkdirSync(join(dataDir, 'hexastore.db'), { recursive: true });
    expectOneLine(await runService({ STORE_DATA_DIR: dataDir }), /^hexastore: cannot open the database .*db-dir\/hexastore\.db: /);
  });

  it('a port already in use: refused before anything claims to have started', async () => {
    const port = await vacantPort();
    const holder: Server = createServer();
    await new Promise<void>((r) => holder.listen(port, '127.0.0.1', r));
    try {
      const exit = await runService({ STORE_DATA_DIR: join(dir, 'port'), PORT: String(port) });
      expectOneLine(exit, new RegExp(`^hexastore: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use \\(EADDRINUSE\\)`));
      expect(exit.stdout).not.toContain('successfully started');
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  it.each(['GRPC_PORT', 'MICROSERVICE_PORT'])('a %s already in use: the same one line', async (name) => {
    const port = await vacantPort();
    const holder: Server = createServer();
    await new Promise<void>((r) => holder.listen(port, '127.0.0.1', r));
    try {
      const exit = await runService({ STORE_DATA_DIR: join(dir, `port-${name}`), PORT: String(await vacantPort()), [name]: String(port) });
      expectOneLine(exit, new RegExp(`^hexastore: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use \\(EADDRINUSE\\)`));
      expect(exit.stdout).not.toContain('successfully started');
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  it('a STORE_CONFIG file that does not exist', async () => {
    const missing = join(dir, 'no-such-store.yaml');
    const exit = await runService({ STORE_DATA_DIR: join(dir, 'cfg'), STORE_CONFIG: missing });
    expectOneLine(exit, /^hexastore: invalid configuration: STORE_CONFIG cannot read /);
    expect(exit.stderr).toContain(`${missing} (ENOENT`);
  });

  it('an unknown STORE_BACKEND', async () => {
    const exit = await runService({ STORE_DATA_DIR: join(dir, 'pg'), STORE_BACKEND: 'postgres' });
    expectOneLine(exit, /^hexastore: invalid configuration: STORE_BACKEND is "sqlite" or "eventstoredb" \(got "postgres"\)$/m);
  });

  it('authentication off on a non-loopback HOST', async () => {
    const exit = await runService({ STORE_DATA_DIR: join(dir, 'open'), HOST: '0.0.0.0' });
    expectOneLine(exit, /^hexastore: invalid configuration: STORE_AUTH is off while HOST is not a loopback address: .*STORE_AUTH=off-insecure/);
    expect(exit.stdout).not.toContain('listening');
  });

  it('authentication on with no credential source, or a JWT key file without a usable key', async () => {
    expectOneLine(await runService({ STORE_DATA_DIR: join(dir, 'auth'), STORE_AUTH: 'on' }), /^hexastore: invalid configuration: STORE_AUTH is on but no credential is configured/);
    const secret = join(dir, 'short.secret');
    writeFileSync(secret, 'too-short-to-sign-with\n');
    const short = await runService({ STORE_DATA_DIR: join(dir, 'auth'), STORE_AUTH: 'on', STORE_JWT_SECRET_FILE: secret });
    expectOneLine(short, /^hexastore: invalid configuration: STORE_JWT_SECRET_FILE .*short\.secret holds 22 bytes; an HS256 secret needs at least 32$/m);
    expect(short.stderr).not.toContain('too-short-to-sign-with');
    const pem = join(dir, 'not-a-key.pem');
    writeFileSync(pem, 'not a key\n');
    expectOneLine(await runService({ STORE_DATA_DIR: join(dir, 'auth'), STORE_AUTH: 'on', STORE_JWT_PUBLIC_KEY_FILE: pem }),
      /^hexastore: invalid configuration: STORE_JWT_PUBLIC_KEY_FILE .*not-a-key\.pem is not a PEM public key/);
  });

  it('a master key file that is not a key, or not the key the key vault was made with', async () => {
    const dataDir = join(dir, 'keys');
    mkdirSync(dataDir, { recursive: true });
    KeyVault.open(join(dataDir, 'keys.db'), randomBytes(32)).close();
    const other = randomBytes(32).toString('base64');
    const wrong = join(dir, 'wrong.key');
    writeFileSync(wrong, `${other}\n`);
    const refused = await runService({ STORE_DATA_DIR: dataDir, STORE_MASTER_KEY_FILE: wrong });
    expectOneLine(refused, /^hexastore: STORE_MASTER_KEY_FILE .*wrong\.key: the master key does not open the key vault/);
    expect(refused.stderr).not.toContain(other);
    const short = join(dir, 'short.key');
    writeFileSync(short, 'not a key\n');
    expectOneLine(await runService({ STORE_DATA_DIR: dataDir, STORE_MASTER_KEY_FILE: short }),
      /^hexastore: STORE_MASTER_KEY_FILE .*short\.key holds 10 bytes: a master key is 32 random bytes/);
    expectOneLine(await runService({ STORE_DATA_DIR: dataDir, STORE_MASTER_KEY_FILE: join(dir, 'none.key') }),
      /^hexastore: invalid configuration: STORE_MASTER_KEY_FILE cannot read .*none\.key \(ENOENT/);
  });
});
