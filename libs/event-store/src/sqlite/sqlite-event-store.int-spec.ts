import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageFullError } from '../errors';
import { eventStoreContract } from '../contract/event-store.contract';
import { SqliteEventStore } from './sqlite-event-store';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hexastore-es-'));
  dirs.push(dir);
  return join(dir, 'store.db');
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

eventStoreContract('sqlite', async () => {
  const store = new SqliteEventStore({ file: tempFile(), pollIntervalMs: 20 });
  return { store, dispose: () => store.close() };
});

describe('sqlite adapter', () => {
  it('runs with synchronous=FULL after a reopen, in WAL mode', async () => {
    const file = tempFile();
    await new SqliteEventStore({ file }).close();
    const reopened = new SqliteEventStore({ file });
    expect(reopened.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(reopened.db.pragma('journal_mode', { simple: true })).toBe('wal');
    await reopened.close();
  });

  it('keeps its incarnation across reopens', async () => {
    const file = tempFile();
    const first = new SqliteEventStore({ file });
    const incarnation = first.incarnation;
    await first.close();
    const second = new SqliteEventStore({ file });
    expect(second.incarnation).toBe(incarnation);
    expect(incarnation).toMatch(/^[0-9a-f]{16}$/);
    await second.close();
  });

  it('group-commits appends queued in one turn into one transaction', async () => {
    const store = new SqliteEventStore({ file: tempFile() });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.append(`s-${i}`, [{ id: `id-${i}`, type: 'T', data: {}, metadata: {} }], 'no_stream')),
    );
    expect(results.map((r) => Number(r.position.commit))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(store.committer.stats).toEqual({ commits: 1, work: 20 });
    await store.append('later', [{ id: 'later', type: 'T', data: {}, metadata: {} }], 'no_stream');
    expect(store.committer.stats).toEqual({ commits: 2, work: 21 });
    await store.close();
  });

  it('a failing append in a batch rolls back alone', async () => {
    const store = new SqliteEventStore({ file: tempFile() });
    const ok = store.append('a', [{ id: '1', type: 'T', data: {}, metadata: {} }], 'no_stream');
    const bad = store.append('b', [{ id: '2', type: 'T', data: {}, metadata: {} }], 5);
    const ok2 = store.append('c', [{ id: '3', type: 'T', data: {}, metadata: {} }], 'no_stream');
    await expect(ok).resolves.toMatchObject({ revision: 0 });
    await expect(bad).rejects.toThrow(/expected revision 5/);
    await expect(ok2).resolves.toMatchObject({ revision: 0 });
    expect(store.headSync()).toBe(2);
    await store.close();
  });

  it('two stores on one file: both see each other\'s appends and conflicts are detected', async () => {
    const file = tempFile();
    const a = new SqliteEventStore({ file });
    const b = new SqliteEventStore({ file });
    expect(b.incarnation).toBe(a.incarnation);
    await a.append('s', [{ id: 'x1', type: 'T', data: {}, metadata: {} }], 'no_stream');
    await expect(b.append('s', [{ id: 'x2', type: 'T', data: {}, metadata: {} }], 'no_stream')).rejects.toThrow(/actual 0/);
    await b.append('s', [{ id: 'x3', type: 'T', data: {}, metadata: {} }], 0);
    expect((await a.readStream('s')).map((e) => e.id)).toEqual(['x1', 'x3']);
    await a.close();
    await b.close();
  });

  it('a full data file is a StorageFullError and leaves earlier events intact', async () => {
    const store = new SqliteEventStore({ file: tempFile() });
    await store.append('s', [{ id: 'a', type: 'T', data: {}, metadata: {} }], 'any');
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages + 1}`);
    const big = { id: 'b', type: 'T', data: { blob: 'x'.repeat(200_000) }, metadata: {} };
    await expect(store.append('s', [big], 'any')).rejects.toBeInstanceOf(StorageFullError);
    expect((await store.readStream('s')).map((e) => e.id)).toEqual(['a']);
    await store.close();
    const check = new Database(join(dirs[dirs.length - 1], 'store.db'));
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
  });
});
