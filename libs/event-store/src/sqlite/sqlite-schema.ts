import type { Database } from 'better-sqlite3';
import { crc32 } from 'node:zlib';

/** `PRAGMA application_id` of every HexaStore data file: "HXST". */
export const HEXASTORE_APPLICATION_ID = 0x48585354;

/**
 * `PRAGMA user_version`: the log's schema. 0: written before files were marked (adopted at open);
 * 1: events carry a checksum.
 */
export const SCHEMA_VERSION = 1;

export const EVENTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS store_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  id          TEXT    NOT NULL UNIQUE,
  stream      TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  recorded_at TEXT    NOT NULL,
  checksum    INTEGER,
  UNIQUE (stream, revision)
) STRICT;
`;

/** An event row as stored. */
export interface EventRow {
  position: number;
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
  checksum: number | null;
}

/**
 * CRC-32 of an event's stored fields (stream, revision, id, type, the data and metadata JSON text,
 * recorded at): catches the flipped bytes in values that SQLite's own checks cannot see.
 */
export function eventChecksum(
  row: Pick<EventRow, 'stream' | 'revision' | 'id' | 'type' | 'data' | 'metadata' | 'recorded_at'>,
): number {
  return crc32(`${row.stream}\0${row.revision}\0${row.id}\0${row.type}\0${row.data}\0${row.metadata}\0${row.recorded_at}`);
}

/**
 * Durability settings, run on every open: better-sqlite3 is built with
 * SQLITE_DEFAULT_WAL_SYNCHRONOUS=1, so a reopened WAL database would otherwise run with
 * synchronous=NORMAL and could lose acknowledged commits on power loss.
 */
export function applyDurablePragmas(db: Database, busyTimeoutMs: number): void {
  db.pragma(`busy_timeout = ${Math.trunc(busyTimeoutMs)}`);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
}
