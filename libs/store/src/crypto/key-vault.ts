import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { context, KEY_BYTES, open, seal, SealBrokenError } from './aead';

/** The master key given does not open this vault: the one line a start with a wrong key prints. */
export class MasterKeyWrongError extends Error {}

export interface DataKeyInfo {
  readonly keyId: string;
  readonly createdAt: string;
}

const CHECK_CONTEXT = context('hexastore-key-vault-check');
const CHECK_TEXT = Buffer.from('hexastore key vault', 'utf8');
const wrapContext = (namespace: string, keyId: string) => context('hexastore-data-key', namespace, keyId);

/**
 * The data keys of encrypted namespaces, each wrapped (AES-256-GCM, bound to its namespace and id)
 * by the master key. A file of its own beside the log, not events: the log is append-only, and
 * shredding must be able to destroy keys. Deleted rows are overwritten (secure_delete) and the
 * rollback journal is removed at each commit, so a shredded key leaves no copy in the vault.
 */
export class KeyVault {
  private readonly cache = new Map<string, Buffer>();
  private readonly insert: Statement;
  private readonly one: Statement;
  private readonly all: Statement;

  private constructor(private readonly db: Db, private masterKey: Buffer) {
    this.insert = db.prepare('INSERT INTO data_keys (namespace, key_id, wrapped, created_at) VALUES (?, ?, ?, ?)');
    this.one = db.prepare('SELECT wrapped FROM data_keys WHERE namespace = ? AND key_id = ?').pluck();
    this.all = db.prepare('SELECT key_id AS keyId, created_at AS createdAt FROM data_keys WHERE namespace = ? ORDER BY created_at, rowid');
  }

  /** Opens (or makes) the vault at `file`; MasterKeyWrongError when `masterKey` is not the one it was made with. */
  static open(file: string, masterKey: Buffer, now = new Date()): KeyVault {
    const db = new Database(file);
    try {
      db.pragma('journal_mode = DELETE');
      db.pragma('synchronous = FULL');
      db.pragma('secure_delete = ON');
      db.exec(`
        CREATE TABLE IF NOT EXISTS vault (id INTEGER PRIMARY KEY CHECK (id = 1), check_box BLOB NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS data_keys (
          namespace TEXT NOT NULL, key_id TEXT NOT NULL, wrapped BLOB NOT NULL, created_at TEXT NOT NULL,
          PRIMARY KEY (namespace, key_id)
        );`);
      const check = db.prepare('SELECT check_box FROM vault WHERE id = 1').pluck().get() as Buffer | undefined;
      if (check === undefined) {
        db.prepare('INSERT INTO vault (id, check_box, created_at) VALUES (1, ?, ?)').run(seal(masterKey, CHECK_CONTEXT, CHECK_TEXT), now.toISOString());
      } else {
        try {
          open(masterKey, CHECK_CONTEXT, check, 'the key vault check value');
        } catch (error) {
          if (error instanceof SealBrokenError) throw new MasterKeyWrongError('the master key does not open the key vault (a different key made it)');
          throw error;
        }
      }
      return new KeyVault(db, Buffer.from(masterKey));
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** A new random data key for the namespace, stored wrapped (and on disk) before it is returned. */
  createKey(namespace: string, now: Date): DataKeyInfo & { key: Buffer } {
    const keyId = randomUUID();
    const key = randomBytes(KEY_BYTES);
    const createdAt = now.toISOString();
    this.insert.run(namespace, keyId, seal(this.masterKey, wrapContext(namespace, keyId), key), createdAt);
    this.cache.set(`${namespace}\0${keyId}`, key);
    return { keyId, createdAt, key };
  }

  /** The data key, or undefined when the vault does not hold it (never made here, or shredded). */
  dataKey(namespace: string, keyId: string): Buffer | undefined {
    const cached = this.cache.get(`${namespace}\0${keyId}`);
    if (cached) return cached;
    const wrapped = this.one.get(namespace, keyId) as Buffer | undefined;
    if (wrapped === undefined) return undefined;
    const key = open(this.masterKey, wrapContext(namespace, keyId), wrapped, `data key ${keyId} of ${namespace}`);
    this.cache.set(`${namespace}\0${keyId}`, key);
    return key;
  }

  /** Ids and dates of the namespace's keys, oldest first; never their material. */
  keys(namespace: string): DataKeyInfo[] {
    return this.all.all(namespace) as DataKeyInfo[];
  }

  /** Destroys every key of the namespace; answers how many there were. */
  shred(namespace: string): number {
    for (const id of this.cache.keys()) if (id.startsWith(`${namespace}\0`)) this.cache.delete(id);
    return this.db.prepare('DELETE FROM data_keys WHERE namespace = ?').run(namespace).changes;
  }

  /** Wraps every data key (and the check value) with a new master key, in one transaction; nothing else is re-encrypted. */
  rewrap(newMasterKey: Buffer, now = new Date()): number {
    const rows = this.db.prepare('SELECT namespace, key_id AS keyId, wrapped FROM data_keys').all() as { namespace: string; keyId: string; wrapped: Buffer }[];
    const update = this.db.prepare('UPDATE data_keys SET wrapped = ? WHERE namespace = ? AND key_id = ?');
    this.db.transaction(() => {
      for (const { namespace, keyId, wrapped } of rows) {
        const key = open(this.masterKey, wrapContext(namespace, keyId), wrapped, `data key ${keyId} of ${namespace}`);
        update.run(seal(newMasterKey, wrapContext(namespace, keyId), key), namespace, keyId);
      }
      this.db.prepare('UPDATE vault SET check_box = ?, created_at = ? WHERE id = 1').run(seal(newMasterKey, CHECK_CONTEXT, CHECK_TEXT), now.toISOString());
    }).immediate();
    this.masterKey = Buffer.from(newMasterKey);
    return rows.length;
  }

  close(): void {
    this.cache.clear();
    this.db.close();
  }
}
