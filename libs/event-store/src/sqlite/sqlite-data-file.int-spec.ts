import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptEventError, DataFileError } from '../errors';
import { Projection } from '../projector/projection';
import { SqliteEventStore } from './sqlite-event-store';
import { HEXASTORE_APPLICATION_ID, SCHEMA_VERSION } from './sqlite-schema';
import { verifyDataFile } from './sqlite-verify';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'hexastore-datafile-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const event = (data: Record<string, unknown> = {}) => ({ id: randomUUID(), type: 'Noted', data, metadata: { actor: 't' } });

/** Counts the events it has seen in a table of its own. */
const counting: Projection = {
  name: 'counting',
  schema: 'CREATE TABLE IF NOT EXISTS counted (id TEXT PRIMARY KEY) STRICT;',
  tables: ['counted'],
  bind: (db) => {
    const insert = db.prepare('INSERT INTO counted (id) VALUES (?)');
    return (e) => void insert.run(e.id);
  },
};

/** Flips one byte of the only copy of `marker` in the (checkpointed, closed) file. */
function flipByteOf(file: string, marker: string): void {
  const bytes = readFileSync(file);
  const at = bytes.indexOf(Buffer.from(marker));
  expect(at).toBeGreaterThan(0);
  expect(bytes.indexOf(Buffer.from(marker), at + 1)).toBe(-1);
  bytes[at + 3] ^= 0x01;
  writeFileSync(file, bytes);
}

describe('SQLite data file: identity and migration', () => {
  it('marks a new file with the HexaStore application_id and the schema version, and keeps synchronous=FULL', async () => {
    const file = join(dir, 'new.db');
    await new SqliteEventStore({ file }).close();
    const store = new SqliteEventStore({ file });
    expect(store.db.pragma('application_id', { simple: true })).toBe(HEXASTORE_APPLICATION_ID);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2);
    await store.close();
  });

  it('refuses another application\'s SQLite file (another application_id) and adds nothing to it', () => {
    const file = join(dir, 'foreign.db');
    const foreign = new Database(file);
    foreign.pragma('application_id = 1234');
    foreign.exec('CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)');
    foreign.close();
    const before = readFileSync(file);
    expect(() => new SqliteEventStore({ file })).toThrow(DataFileError);
    expect(() => new SqliteEventStore({ file })).toThrow(`${file} is not a HexaStore data file (application_id 0x000004d2, expected 0x48585354)`);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses a SQLite file without an application_id and without HexaStore tables', () => {
    const file = join(dir, 'plain.db');
    const plain = new Database(file);
    plain.exec('CREATE TABLE notes (body TEXT)');
    plain.close();
    expect(() => new SqliteEventStore({ file })).toThrow(
      `${file} is not a HexaStore data file (application_id 0 and no events/store_meta tables)`,
    );
    const check = new Database(file);
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([{ name: 'notes' }]);
    check.close();
  });

  it('refuses a 0-byte file as probably truncated, and creates a missing one', async () => {
    const file = join(dir, 'empty.db');
    writeFileSync(file, '');
    expect(() => new SqliteEventStore({ file })).toThrow(`${file} is empty (0 bytes)`);
    expect(readFileSync(file).length).toBe(0);
    const created = new SqliteEventStore({ file: join(dir, 'missing.db') });
    expect(created.headSync()).toBe(0);
    await created.close();
  });

  it('adopts a store written by an earlier version: sets the id and checksums its events once', async () => {
    const file = join(dir, 'legacy.db');
    const legacy = new Database(file);
    legacy.exec(`
      CREATE TABLE store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, stream TEXT NOT NULL,
        revision INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL,
        UNIQUE (stream, revision)) STRICT;
      INSERT INTO store_meta VALUES ('incarnation', 'abcdefabcdefabcd');
      INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at)
        VALUES ('old-1', 's', 0, 'Noted', '{"n":1}', '{}', '2026-01-01T00:00:00.000Z');`);
    legacy.close();
    const store = new SqliteEventStore({ file });
    expect(store.db.pragma('application_id', { simple: true })).toBe(HEXASTORE_APPLICATION_ID);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect((await store.readStream('s')).map((e) => e.data)).toEqual([{ n: 1 }]);
    await store.append('s', [event({ n: 2 })], 0);
    await store.close();
    expect(verifyDataFile(file)).toMatchObject({ ok: true, events: 2, unverified: 0, damagedEvents: [], problems: [] });
  });
});

describe('SQLite data file: event checksums', () => {
  it('a flipped byte in an event\'s data passes integrity_check, but read-all, read-stream and rebuild refuse naming the event', async () => {
    const file = join(dir, 'flip.db');
    const projections = { projections: [counting] };
    const store = new SqliteEventStore({ file, readModels: projections });
    const good = event({ value: 'fine' });
    const bad = event({ value: 'canary-0123456789' });
    await store.append('s', [good, bad], 'no_stream');
    await store.close();
    flipByteOf(file, 'canary-0123456789');

    const raw = new Database(file);
    expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
    raw.close();
    const reopened = new SqliteEventStore({ file, readModels: projections });
    try {
      await expect(reopened.readAll({ after: 'start', maxCount: 10 })).rejects.toThrow(CorruptEventError);
      await expect(reopened.readAll({ after: 'start', maxCount: 10 })).rejects.toThrow(`event ${bad.id} (stream s, revision 1, position 2)`);
      await expect(reopened.readStream('s')).rejects.toMatchObject({ eventId: bad.id });
      expect(() => reopened.readStreamSync('s', 0, 1)).not.toThrow();
      await expect(reopened.readModels!.rebuild()).rejects.toMatchObject({ eventId: bad.id, position: 2 });
      expect(reopened.db.prepare('SELECT count(*) AS n FROM counted').get()).toEqual({ n: 2 });
    } finally {
      await reopened.close();
    }
    const report = verifyDataFile(file);
    expect(report).toMatchObject({ ok: false, events: 2, integrity: ['ok'] });
    expect(report.damagedEvents).toEqual([{ position: 2, id: bad.id, stream: 's', revision: 1 }]);
  });

  it('imported events carry checksums too', async () => {
    const file = join(dir, 'import.db');
    const store = new SqliteEventStore({ file });
    const imported = { ...event({ n: 1 }), stream: 's', revision: 0, recordedAt: '2026-01-01T00:00:00.000Z' };
    await store.importLog({
      streams: new Map([['s', { lastRevision: 0 }]]),
      events: () => [[imported]],
      decide: () => 'import',
      closingEvent: () => ({ stream: 'meta', ...event() }),
      respond: (r) => r,
    });
    await store.close();
    expect(verifyDataFile(file)).toMatchObject({ ok: true, events: 2, unverified: 0, problems: [] });
  });
});

describe('SQLite data file: start-up check and impossible lag', () => {
  it('refuses to open a file that fails quick_check, with one line naming it', async () => {
    const file = join(dir, 'damaged.db');
    const store = new SqliteEventStore({ file });
    for (let i = 0; i < 20; i++) await store.append(`s${i}`, [event({ pad: 'x'.repeat(500) })], 'no_stream');
    await store.close();
    const bytes = readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    for (let i = 0; i < 64; i++) bytes[pageSize * 2 + i] ^= 0xff; // the header of page 3
    writeFileSync(file, bytes);
    let refused: unknown;
    try {
      new SqliteEventStore({ file }).close();
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(DataFileError);
    expect((refused as Error).message).toMatch(new RegExp(`^${file} is damaged \\(quick_check: [^\\n]+\\)$`));
    expect(verifyDataFile(file)).toMatchObject({ ok: false });
  });

  it('read models ahead of the log head (events deleted behind the checkpoint) make the store unready', async () => {
    const file = join(dir, 'deleted.db');
    const store = new SqliteEventStore({ file, readModels: { projections: [counting] } });
    for (let i = 0; i < 5; i++) await store.append('s', [event()], i === 0 ? 'no_stream' : i - 1);
    expect(store.readModels!.unready()).toBeUndefined();
    store.db.prepare('DELETE FROM events WHERE position > 2').run();
    expect(store.readModels!.unready()).toBe(
      'the read models are at position 5 but the log ends at position 2: events are missing from the log (the data file is damaged)',
    );
    expect(await store.readModels!.describe()).toMatchObject({ head: 2, projected: 5 });
    await store.close();
    expect(verifyDataFile(file).problems).toContain('the read models are at position 5 but the log ends at position 2');
  });
});
