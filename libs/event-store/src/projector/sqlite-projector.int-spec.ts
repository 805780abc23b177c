import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { position } from '../position';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { Projection } from './projection';
import { SqliteProjector, SyncEventSource } from './sqlite-projector';

/** A read model that counts events per stream and remembers every event id it applied. */
const counting = (schemaTag = ''): Projection => ({
  name: 'counts',
  tables: ['counts', 'seen'],
  schema: `CREATE TABLE IF NOT EXISTS counts (stream TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT;
            CREATE TABLE IF NOT EXISTS seen (id TEXT PRIMARY KEY) STRICT; ${schemaTag}`,
  bind(db) {
    const bump = db.prepare('INSERT INTO counts VALUES (?, 1) ON CONFLICT (stream) DO UPDATE SET n = n + 1');
    const see = db.prepare('INSERT INTO seen VALUES (?)'); // a second apply of one event would throw
    return (event) => {
      bump.run(event.stream);
      see.run(event.id);
    };
  },
});

const counts = (db: Database.Database) => db.prepare('SELECT stream, n FROM counts ORDER BY stream').all();

describe('SqliteProjector', () => {
  let dir: string;
  let store: SqliteEventStore;
  let source: SyncEventSource;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hexastore-proj-'));
    store = new SqliteEventStore({ file: join(dir, 'log.db') });
    source = (after, max) => store.readAllSync(after === 'start' ? 0 : Number(after.commit), max);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const append = (stream: string, n: number) =>
    store.append(stream, Array.from({ length: n }, () => ({ id: `${Math.random()}`, type: 'T', data: {}, metadata: {} })), 'any');

  it('catches up from its checkpoint, and a restart applies nothing twice', async () => {
    await append('a', 3);
    await append('b', 2);
    const readDb = new Database(join(dir, 'read.db'));
    const first = new SqliteProjector(readDb, [counting()], store.incarnation);
    expect(first.catchUp(source)).toBe(5);
    await append('a', 1);
    const second = new SqliteProjector(readDb, [counting()], store.incarnation);
    expect(second.catchUp(source)).toBe(1);
    expect(second.catchUp(source)).toBe(0);
    expect(counts(readDb)).toEqual([{ stream: 'a', n: 4 }, { stream: 'b', n: 2 }]);
    const checkpoint = second.checkpoint();
    expect(checkpoint !== 'start' && checkpoint.commit).toBe(6n);
    expect([5, 6, 7].map((n) => second.includes(position(store.incarnation, n)))).toEqual([true, true, false]);
    readDb.close();
  });

  it('skips events at or before the checkpoint when handed them again', async () => {
    await append('a', 2);
    const readDb = new Database(':memory:');
    const projector = new SqliteProjector(readDb, [counting()], store.incarnation);
    const events = source('start', 10);
    expect(readDb.transaction(() => projector.applyInTransaction(events))()).toBe(2);
    expect(readDb.transaction(() => projector.applyInTransaction(events))()).toBe(0);
    expect(counts(readDb)).toEqual([{ stream: 'a', n: 2 }]);
  });

  it('rebuild drops the read models and replays the log, reporting progress', async () => {
    await append('a', 5);
    const readDb = new Database(':memory:');
    const projector = new SqliteProjector(readDb, [counting()], store.incarnation);
    projector.catchUp(source);
    readDb.exec("UPDATE counts SET n = 999");
    const progress: number[] = [];
    expect(projector.rebuild(source, (done) => progress.push(done), 5)).toBe(5);
    expect(counts(readDb)).toEqual([{ stream: 'a', n: 5 }]);
    expect(progress).toEqual([5]);
  });

  it('catches up from an asynchronous source a page per transaction, calling back after each event', async () => {
    await append('a', 3);
    await append('b', 1);
    const readDb = new Database(':memory:');
    const projector = new SqliteProjector(readDb, [counting()], store.incarnation);
    const applied: string[] = [];
    const pages: number[] = [];
    const asyncSource = async (after: Parameters<SyncEventSource>[0], max: number) => source(after, Math.min(max, 3));
    const afterEach = (e: { stream: string }) => applied.push(`${e.stream}:${JSON.stringify(counts(readDb))}`);
    expect(await projector.catchUpAsync(asyncSource, (n) => pages.push(n), afterEach)).toBe(3);
    expect(pages).toEqual([3]); // a short page is the end of the log
    expect(await projector.catchUpAsync(asyncSource, (n) => pages.push(n), afterEach)).toBe(1);
    expect(applied).toEqual([
      'a:[{"stream":"a","n":1}]',
      'a:[{"stream":"a","n":2}]',
      'a:[{"stream":"a","n":3}]',
      'b:[{"stream":"a","n":3},{"stream":"b","n":1}]',
    ]);
    expect(await projector.catchUpAsync(asyncSource)).toBe(0);
  });

  it('reset sets the checkpoint back to the start and empties the read models', async () => {
    await append('a', 2);
    const readDb = new Database(':memory:');
    const projector = new SqliteProjector(readDb, [counting()], store.incarnation);
    projector.catchUp(source);
    projector.reset();
    expect(projector.checkpoint()).toBe('start');
    expect(counts(readDb)).toEqual([]);
    expect(projector.catchUp(source)).toBe(2);
  });

  it('a changed schema or a new incarnation resets the read models', async () => {
    await append('a', 2);
    const readDb = new Database(':memory:');
    new SqliteProjector(readDb, [counting()], store.incarnation).catchUp(source);
    const changed = new SqliteProjector(readDb, [counting('-- v2')], store.incarnation);
    expect(changed.checkpoint()).toBe('start');
    expect(counts(readDb)).toEqual([]);
    changed.catchUp(source);
    const otherIncarnation = new SqliteProjector(readDb, [counting('-- v2')], 'ffff');
    expect(otherIncarnation.checkpoint()).toBe('start');
  });

  it('follows an incarnation given as a function: the checkpoint carries the current one', async () => {
    await append('a', 2);
    const readDb = new Database(':memory:');
    let incarnation = 'aaaa';
    const projector = new SqliteProjector(readDb, [counting()], () => incarnation);
    projector.catchUp(source);
    incarnation = 'bbbb';
    await append('a', 1);
    projector.catchUp(source);
    expect(projector.checkpoint()).toEqual({ incarnation: 'bbbb', commit: 3n, prepare: 3n });
    expect(new SqliteProjector(readDb, [counting()], 'bbbb').checkpoint()).toEqual({ incarnation: 'bbbb', commit: 3n, prepare: 3n });
    expect(counts(readDb)).toEqual([{ stream: 'a', n: 3 }]);
  });
});
