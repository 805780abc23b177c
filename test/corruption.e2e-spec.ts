import { SqliteEventStore } from '@app/event-store';
import Database from 'better-sqlite3';
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hexastore, stopProcess } from './support/cli';
import { http, MAIN, removeDir, startChild, tempDir } from './support/service';

interface Exit {
  code: number | null;
  stderr: string;
}

/** Runs the built service (`npm run build`) on `dataDir` until it exits (it is expected to refuse to start). */
function runService(dataDir: string): Promise<Exit> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, STORE_DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stderr });
    });
  });
}

function expectOneLine(exit: Exit, line: string): void {
  expect({ code: exit.code, stderr: exit.stderr }).toEqual({ code: 1, stderr: `hexastore: ${line}\n` });
}

/** A data dir whose hexastore.db holds a few events written through the adapter; answers the file. */
async function storeWithEvents(dataDir: string, values: string[]): Promise<{ file: string; ids: string[] }> {
  const file = join(dataDir, 'hexastore.db');
  const store = new SqliteEventStore({ file });
  const ids = values.map(() => randomUUID());
  await store.append('store-app', values.map((value, i) => ({ id: ids[i], type: 'Noted', data: { value }, metadata: {} })), 'no_stream');
  await store.close();
  return { file, ids };
}

function flipByteOf(file: string, marker: string): void {
  const bytes = readFileSync(file);
  const at = bytes.indexOf(Buffer.from(marker));
  expect(at).toBeGreaterThan(0);
  bytes[at + 2] ^= 0x01;
  writeFileSync(file, bytes);
}

describe('corruption is detected before anything is served', () => {
  let dir: string;
  beforeAll(() => (dir = tempDir('hexastore-corruption-')));
  afterAll(() => removeDir(dir));

  const dataDir = (name: string) => {
    const path = join(dir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };

  it('another application\'s SQLite file is refused at start, one line, exit 1, and left as it was', async () => {
    const data = dataDir('foreign');
    const file = join(data, 'hexastore.db');
    const foreign = new Database(file);
    foreign.pragma('application_id = 1234');
    foreign.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY)');
    foreign.close();
    const before = readFileSync(file);
    expectOneLine(await runService(data), `${file} is not a HexaStore data file (application_id 0x000004d2, expected 0x48585354)`);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('a SQLite file with neither our application_id nor our tables is refused', async () => {
    const data = dataDir('plain');
    const file = join(data, 'hexastore.db');
    const plain = new Database(file);
    plain.exec('CREATE TABLE notes (body TEXT)');
    plain.close();
    expectOneLine(await runService(data), `${file} is not a HexaStore data file (application_id 0 and no events/store_meta tables)`);
  });

  it('a 0-byte data file is refused as truncated, not started as an empty store', async () => {
    const data = dataDir('empty');
    const file = join(data, 'hexastore.db');
    writeFileSync(file, '');
    const exit = await runService(data);
    expectOneLine(exit, `${file} is empty (0 bytes): a data file is never empty once created, so it was probably truncated; `
      + 'restore it from a backup, or remove it to start a new store');
    expect(readFileSync(file).length).toBe(0);
  });

  it('64 flipped bytes in the file fail quick_check: the service refuses to start', async () => {
    const data = dataDir('flipped');
    const { file } = await storeWithEvents(data, Array.from({ length: 30 }, (_, i) => `value-${i}-${'x'.repeat(300)}`));
    const bytes = readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    for (let i = 0; i < 64; i++) bytes[pageSize * 2 + i] ^= 0xff;
    writeFileSync(file, bytes);
    const exit = await runService(data);
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(new RegExp(`^hexastore: ${file} is damaged \\(quick_check: [^\\n]+\\)\\n$`));
  });

  it('events deleted behind the read models\' checkpoint: ready is 503 with the reason and writes answer 503 BACKEND_UNAVAILABLE', async () => {
    const data = dataDir('deleted');
    const first = await startChild(data);
    for (let i = 0; i < 5; i++) expect((await http('PUT', `${first.url}/v1/namespaces/app/entries/k${i}`, { value: 'v' })).status).toBe(201);
    await stopProcess(first.child);
    const db = new Database(join(data, 'hexastore.db'));
    db.prepare('DELETE FROM events WHERE position > 2').run();
    db.close();

    const port = 20000 + Math.floor(Math.random() * 12000);
    const child: ChildProcess = spawn(process.execPath, [MAIN], {
      env: { ...process.env, STORE_DATA_DIR: data, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      let live = false;
      for (let i = 0; i < 200 && !live; i++) {
        live = await fetch(`${url}/health/live`).then((r) => r.ok, () => false);
        if (!live) await new Promise((r) => setTimeout(r, 50));
      }
      expect(live).toBe(true);
      const ready = await http('GET', `${url}/health/ready`);
      expect(ready.status).toBe(503);
      expect(ready.body.error.store).toMatchObject({
        head: 2, projected: 6,
        reason: 'the read models are at position 6 but the log ends at position 2: events are missing from the log (the data file is damaged)',
      });
      const put = await http('PUT', `${url}/v1/namespaces/app/entries/k9`, { value: 'v' });
      expect({ status: put.status, code: put.body.code }).toEqual({ status: 503, code: 'BACKEND_UNAVAILABLE' });
    } finally {
      await stopProcess(child);
    }
  });
});

describe('hexastore verify --data-dir', () => {
  let dir: string;
  beforeAll(() => (dir = tempDir('hexastore-verify-')));
  afterAll(() => removeDir(dir));

  it('a sound store: exit 0 and a summary', async () => {
    const data = join(dir, 'sound');
    await storeWithEvents(data, ['a', 'b', 'c']);
    const run = await hexastore(['verify', '--data-dir', data]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/integrity_check\s+│ ok\s/);
    expect(run.stdout).toMatch(/events\s+│ 3\s/);
    expect(run.stdout).toMatch(/checksums\s+│ ok \(3 verified, 0 without one\)/);
    const json = await hexastore(['--json', 'verify', '--data-dir', data]);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, events: 3, integrity: ['ok'], damagedEvents: [], problems: [] });
  });

  it('one changed byte in an event\'s value: exit 1 naming the event', async () => {
    const data = join(dir, 'damaged');
    const { file, ids } = await storeWithEvents(data, ['fine', 'canary-value-0123456789', 'also fine']);
    flipByteOf(file, 'canary-value-0123456789');
    const run = await hexastore(['verify', '--data-dir', data]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`damaged event ${ids[1]}: stream store-app, revision 1, position 2`);
    expect(run.stdout).toMatch(/result\s+│ DAMAGED\s/);
    expect(run.stderr).toBe(`hexastore: ${file} is damaged: 1 event(s) do not match their checksum\n`);
  });

  it('a data dir without a store is a usage error', async () => {
    const run = await hexastore(['verify', '--data-dir', join(dir, 'nothing-here')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('there is no store in');
  });
});
