import Database, { Database as Db } from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataFileError } from '../errors';
import { applyDurablePragmas, EVENTS_SCHEMA, eventChecksum, EventRow, HEXASTORE_APPLICATION_ID, SCHEMA_VERSION } from './sqlite-schema';

const hex = (id: number) => `0x${(id >>> 0).toString(16).padStart(8, '0')}`;

/** What the file is before anything is written to it. */
type Kind = 'new' | 'ours' | 'earlier-version';

/**
 * Opens (or creates) a HexaStore data file and makes it ready for the adapter. Refused with a
 * DataFileError, before anything is written to the file: a file of another application (another
 * `application_id`, or SQLite tables that are not ours), a 0-byte file (a data file is never empty
 * once created: it was truncated), a file of a newer schema, and a file that fails `PRAGMA quick_check`.
 * A file written before files were marked (no application_id, but our tables) is adopted: marked,
 * and its events checksummed, in one transaction.
 */
export function openDataFile(file: string, busyTimeoutMs: number): Db {
  const memory = file === ':memory:';
  if (!memory) mkdirSync(dirname(file), { recursive: true });
  const existed = !memory && existsSync(file);
  if (existed && statSync(file).isFile() && statSync(file).size === 0) {
    throw new DataFileError(file, 'is empty (0 bytes): a data file is never empty once created, so it was probably truncated; '
      + 'restore it from a backup, or remove it to start a new store');
  }
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
    const kind = classify(db, file, existed);
    if (kind !== 'new') quickCheck(db, file);
    // Marked before anything else is written (WAL mode, tables): every non-empty file we create carries the id.
    if (kind === 'new') db.pragma(`application_id = ${HEXASTORE_APPLICATION_ID}`);
    applyDurablePragmas(db, busyTimeoutMs);
    db.transaction(() => migrate(db, file)).immediate();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function classify(db: Db, file: string, existed: boolean): Kind {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
  if (applicationId === HEXASTORE_APPLICATION_ID) return tables.size === 0 ? 'new' : 'ours';
  if (applicationId !== 0) {
    throw new DataFileError(file, `is not a HexaStore data file (application_id ${hex(applicationId)}, expected ${hex(HEXASTORE_APPLICATION_ID)})`);
  }
  if (tables.has('events') && tables.has('store_meta')) return 'earlier-version';
  if (!existed && tables.size === 0) return 'new';
  throw new DataFileError(file, 'is not a HexaStore data file (application_id 0 and no events/store_meta tables)');
}

/** SQLite's bounded structural check (no index cross-checks): one pass over the file's pages. */
function quickCheck(db: Db, file: string): void {
  let first: string;
  try {
    first = String(db.pragma('quick_check(1)', { simple: true }));
  } catch (error) {
    first = `${(error as Error).message} (${(error as { code?: string }).code ?? 'error'})`;
  }
  if (first !== 'ok') throw new DataFileError(file, `is damaged (quick_check: ${first.replace(/\s*\n\s*/g, ' ')})`);
}

/** Creates the schema, or brings an older one up to date; under the write lock, so concurrent openers agree. */
function migrate(db: Db, file: string): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new DataFileError(file, `was written by a newer HexaStore (schema version ${version}; this version reads up to ${SCHEMA_VERSION})`);
  }
  db.exec(EVENTS_SCHEMA);
  if (version === SCHEMA_VERSION) return;
  const columns = (db.prepare('PRAGMA table_info(events)').all() as { name: string }[]).map((c) => c.name);
  if (!columns.includes('checksum')) db.exec('ALTER TABLE events ADD COLUMN checksum INTEGER');
  checksumUnmarked(db);
  db.pragma(`application_id = ${HEXASTORE_APPLICATION_ID}`);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

/** The one-time migration of events written before checksums: each gets the checksum of what it holds now. */
function checksumUnmarked(db: Db): void {
  const update = db.prepare('UPDATE events SET checksum = ? WHERE position = ?');
  const page = db.prepare('SELECT * FROM events WHERE checksum IS NULL AND position > ? ORDER BY position LIMIT 1000');
  for (let after = 0; ;) {
    const rows = page.all(after) as EventRow[];
    if (rows.length === 0) return;
    for (const row of rows) update.run(eventChecksum(row), row.position);
    after = rows[rows.length - 1].position;
  }
}
