import Database from 'better-sqlite3';
import { ImportConflictError, ImportedEvent, LogImport } from '../log-import';
import { formatPosition } from '../position';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConcurrencyError, DuplicateEventIdError, StalePositionError, StorageFullError } from '../errors';
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

  describe('import and incarnation (restore)', () => {
    const imported = (stream: string, revision: number, id: string) => ({
      id, stream, revision, type: 'T', data: { n: revision }, metadata: { m: 1 }, recordedAt: '2025-01-02T03:04:05.000Z',
    });
    const plan = (events: ImportedEvent[], decide: LogImport<unknown>['decide'] = () => 'import'): LogImport<{ imported: boolean; incarnation: string; position?: string }> => ({
      streams: new Map(events.map((e) => [e.stream, { lastRevision: e.revision }])),
      events: () => [events],
      decide,
      closingEvent: ({ previous, next }) => ({ stream: 'meta', id: `closing-${next}`, type: 'Imported', data: { previous, next }, metadata: {} }),
      respond: ({ imported: done, incarnation, position }) => ({ imported: done, incarnation, position: position && formatPosition(position) }),
    });

    it('imports events with their ids, revisions and recording times, then the closing event, under a new incarnation', async () => {
      const store = new SqliteEventStore({ file: tempFile() });
      await store.append('other', [{ id: 'o', type: 'T', data: {}, metadata: {} }], 'no_stream');
      const before = store.incarnation;
      const result = await store.importLog(plan([imported('a', 0, 'a0'), imported('b', 0, 'b0'), imported('a', 1, 'a1')]));
      expect(result).toEqual({ imported: true, incarnation: store.incarnation, position: `${store.incarnation}:5` });
      expect(store.incarnation).not.toBe(before);
      expect(await store.readStream('a')).toEqual([
        { ...imported('a', 0, 'a0'), position: { incarnation: store.incarnation, commit: 2n, prepare: 2n } },
        { ...imported('a', 1, 'a1'), position: { incarnation: store.incarnation, commit: 4n, prepare: 4n } },
      ]);
      expect((await store.readStream('meta'))[0].data).toEqual({ previous: before, next: store.incarnation });
      await store.close();
    });

    it('a skipped import writes nothing and answers the head', async () => {
      const store = new SqliteEventStore({ file: tempFile() });
      await store.append('a', [{ id: 'a0', type: 'T', data: {}, metadata: {} }], 'no_stream');
      const seen: unknown[] = [];
      const result = await store.importLog(plan([imported('a', 0, 'a0')], (existing) => {
        seen.push(Object.fromEntries(existing));
        return 'skip';
      }));
      expect(seen).toEqual([{ a: { firstId: 'a0', idAtImportHead: 'a0' } }]);
      expect(result).toEqual({ imported: false, incarnation: store.incarnation, position: `${store.incarnation}:1` });
      expect(store.headSync()).toBe(1);
      await store.close();
    });

    it('refuses a revision that does not follow its stream, and a known id, writing nothing', async () => {
      const store = new SqliteEventStore({ file: tempFile() });
      await store.append('a', [{ id: 'taken', type: 'T', data: {}, metadata: {} }], 'no_stream');
      const original = store.incarnation;
      await expect(store.importLog(plan([imported('b', 0, 'b0'), imported('b', 2, 'b2')]))).rejects.toEqual(new ConcurrencyError('b', 1, 0));
      await expect(store.importLog(plan([imported('a', 0, 'x')]))).rejects.toEqual(new ConcurrencyError('a', 'no_stream', 0));
      await expect(store.importLog(plan([imported('c', 0, 'taken')]))).rejects.toEqual(new ImportConflictError('taken', 'a'));
      await expect(store.importLog(plan([imported('c', 0, 'twice'), imported('c', 1, 'twice')]))).rejects.toBeInstanceOf(DuplicateEventIdError);
      expect(store.headSync()).toBe(1);
      expect(store.incarnation).toBe(original);
      expect(store.findEventSync('b0')).toBeUndefined();
      await store.close();
    });

    it('a renewed incarnation makes earlier positions stale, survives a reopen, and another process sees it at its next read or write', async () => {
      const file = tempFile();
      const store = new SqliteEventStore({ file });
      const other = new SqliteEventStore({ file });
      const { position: before } = await other.append('x', [{ id: '1', type: 'T', data: {}, metadata: {} }], 'no_stream');
      const { incarnation: renewed } = await store.importLog(plan([imported('a', 0, 'a0')]));
      expect(renewed).toMatch(/^[0-9a-f]{16}$/);
      expect(renewed).not.toBe(before.incarnation);
      await expect(store.readAll({ after: before, maxCount: 10 })).rejects.toBeInstanceOf(StalePositionError);
      await expect(other.readAll({ after: before, maxCount: 1 })).rejects.toEqual(new StalePositionError(`${before.incarnation}:1`, renewed));
      const { position } = await other.append('x', [{ id: 'o2', type: 'T', data: {}, metadata: {} }], 0);
      expect(position.incarnation).toBe(renewed);
      await store.close();
      await other.close();
      const reopened = new SqliteEventStore({ file });
      expect(reopened.incarnation).toBe(renewed);
      await reopened.close();
    });
  });

  describe('appendDecided', () => {
    it('decides under the write lock: 64 concurrent read-modify-writes of one stream lose nothing', async () => {
      const file = tempFile();
      const [one, two] = [new SqliteEventStore({ file }), new SqliteEventStore({ file })];
      const increments = Array.from({ length: 64 }, (_, i) => (i % 2 ? one : two).appendDecided('counter', (revision) => [
        { id: `inc-${i}`, type: 'Incremented', data: { to: (revision ?? -1) + 2 }, metadata: {} },
      ]));
      await Promise.all(increments);
      const events = await one.readStream('counter');
      expect(events.map((e) => (e.data as { to: number }).to)).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
      await one.close();
      await two.close();
    });

    it('writes nothing when the decision is empty, and nothing when it throws', async () => {
      const store = new SqliteEventStore({ file: tempFile() });
      expect(await store.appendDecided('s', () => [])).toBeUndefined();
      await expect(store.appendDecided('s', () => {
        throw new Error('refused');
      })).rejects.toThrow('refused');
      expect(store.headSync()).toBe(0);
      await store.close();
    });
  });
});
