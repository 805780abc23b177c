import Database, { Database as Db } from 'better-sqlite3';
import { eventChecksum, EventRow, HEXASTORE_APPLICATION_ID, SCHEMA_VERSION } from './sqlite-schema';

export interface DamagedEvent {
  readonly position: number;
  readonly id: string;
  readonly stream: string;
  readonly revision: number;
}

/** What `verifyDataFile` found; `ok` only when nothing is wrong. */
export interface DataFileReport {
  readonly file: string;
  readonly ok: boolean;
  /** `['ok']`, or the first errors `PRAGMA integrity_check` reports. */
  readonly integrity: string[];
  readonly applicationId: number | null;
  readonly schemaVersion: number | null;
  readonly events: number;
  readonly head: number;
  /** Events whose stored fields no longer match their checksum. */
  readonly damagedEvents: DamagedEvent[];
  /** Events without a checksum (written by an earlier version, not opened since): not verifiable. */
  readonly unverified: number;
  /** Everything else wrong, one sentence each. */
  readonly problems: string[];
}

const MAX_LISTED = 100;

/**
 * The full offline check of a data file, read only: SQLite's `integrity_check`, the file's
 * identity, every event against its checksum, every stream's revisions gap-free, and the read
 * models' checkpoint within the log.
 */
export function verifyDataFile(file: string): DataFileReport {
  const problems: string[] = [];
  let db: Db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    return failed(file, `cannot open: ${describe(error)}`);
  }
  try {
    const integrity = attempt(() => (db.pragma(`integrity_check(${MAX_LISTED})`) as { integrity_check: string }[]).map((r) => r.integrity_check));
    if (typeof integrity === 'string') return failed(file, `integrity_check failed: ${integrity}`);
    if (integrity.length !== 1 || integrity[0] !== 'ok') problems.push(`integrity_check found ${integrity.length} problem(s): ${integrity[0]}`);
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    const schemaVersion = db.pragma('user_version', { simple: true }) as number;
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    if (applicationId !== HEXASTORE_APPLICATION_ID && !(applicationId === 0 && tables.has('events'))) {
      problems.push(`not a HexaStore data file (application_id ${applicationId})`);
      return { file, ok: false, integrity, applicationId, schemaVersion, events: 0, head: 0, damagedEvents: [], unverified: 0, problems };
    }
    if (schemaVersion > SCHEMA_VERSION) problems.push(`written by a newer HexaStore (schema version ${schemaVersion})`);
    const scan = attempt(() => scanEvents(db));
    if (typeof scan === 'string') {
      problems.push(`reading the log failed: ${scan}`);
      return { file, ok: false, integrity, applicationId, schemaVersion, events: 0, head: 0, damagedEvents: [], unverified: 0, problems };
    }
    const { events, head, damagedEvents, unverified } = scan;
    if (damagedEvents.length > 0) problems.push(`${damagedEvents.length} event(s) do not match their checksum`);
    for (const gap of streamGaps(db)) problems.push(`stream ${gap.stream} holds ${gap.count} events but reaches revision ${gap.last}: events are missing`);
    const checkpoint = readModelsCheckpoint(db, tables);
    if (checkpoint > head) problems.push(`the read models are at position ${checkpoint} but the log ends at position ${head}`);
    return { file, ok: problems.length === 0, integrity, applicationId, schemaVersion, events, head, damagedEvents, unverified, problems };
  } finally {
    db.close();
  }
}

function scanEvents(db: Db) {
  const hasChecksum = (db.prepare('PRAGMA table_info(events)').all() as { name: string }[]).some((c) => c.name === 'checksum');
  const damagedEvents: DamagedEvent[] = [];
  let events = 0;
  let head = 0;
  let unverified = 0;
  const rows = db.prepare(`SELECT *${hasChecksum ? '' : ', NULL AS checksum'} FROM events ORDER BY position`).iterate() as IterableIterator<EventRow>;
  for (const row of rows) {
    events += 1;
    head = row.position;
    if (row.checksum === null) unverified += 1;
    else if (row.checksum !== eventChecksum(row) && damagedEvents.length < MAX_LISTED) {
      damagedEvents.push({ position: row.position, id: row.id, stream: row.stream, revision: row.revision });
    }
  }
  return { events, head, damagedEvents, unverified };
}

function streamGaps(db: Db): { stream: string; count: number; last: number }[] {
  return db.prepare(
    'SELECT stream, count(*) AS count, max(revision) AS last FROM events GROUP BY stream HAVING count(*) <> max(revision) + 1 LIMIT ?',
  ).all(MAX_LISTED) as { stream: string; count: number; last: number }[];
}

function readModelsCheckpoint(db: Db, tables: Set<string>): number {
  if (!tables.has('projector_checkpoints')) return 0;
  const row = db.prepare("SELECT commit_pos FROM projector_checkpoints WHERE name = 'read-models'").get() as { commit_pos: string } | undefined;
  return Number(row?.commit_pos ?? 0);
}

function attempt<T>(work: () => T): T | string {
  try {
    return work();
  } catch (error) {
    return describe(error);
  }
}

const describe = (error: unknown) => `${(error as Error).message}${(error as { code?: string }).code ? ` (${(error as { code?: string }).code})` : ''}`;

const failed = (file: string, problem: string): DataFileReport => ({
  file, ok: false, integrity: [], applicationId: null, schemaVersion: null, events: 0, head: 0, damagedEvents: [], unverified: 0, problems: [problem],
});
