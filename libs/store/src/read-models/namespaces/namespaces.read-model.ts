import type { Database, Statement } from 'better-sqlite3';
import { EntryEvent, isEntryEvent } from '../../namespace/entry';
import { isNamespaceEvent } from '../../events/store-event';
import { decodingProjection, StoreProjection } from '../../events/store-projection';
import { Access, Grants } from '../../namespace/access';
import { namespaceNotFound, NamespaceHead } from '../../namespace/namespace';
import { resolveDependencies } from '../../namespace/dependencies.decide';
import { ValueSchema } from '../../namespace/value-schema';

const entryBytes = (key: string, valueBytes: number) => Buffer.byteLength(key) + valueBytes;

/**
 * Namespaces with their live entry count and bytes (key + value; deleted entries do not count,
 * expired ones until their expiry is recorded), and the revision of their stream's last event.
 * Also their quota, tags, dependencies and access grants. A deleted namespace keeps its row (`deleted` = 1, counts and
 * settings cleared) so that the decision state of its stream can still be loaded; reads hide it.
 * It reads the entry's previous size from the entries table, so it must run before the entries projection.
 */
export const namespacesTypedProjection: StoreProjection = {
  name: 'namespaces',
  tables: ['namespaces', 'namespace_tags', 'namespace_dependencies', 'namespace_schemas', 'namespace_grants', 'namespace_encryption'],
  schema: `
    CREATE TABLE IF NOT EXISTS namespaces (
      name        TEXT    PRIMARY KEY,
      entry_count INTEGER NOT NULL,
      bytes       INTEGER NOT NULL,
      revision    INTEGER NOT NULL,
      default_ttl_seconds INTEGER,
      max_entries INTEGER,
      max_bytes   INTEGER,
      deleted     INTEGER NOT NULL DEFAULT 0,
      created_at  TEXT    NOT NULL,
      updated_at  TEXT    NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS namespace_tags (
      namespace TEXT NOT NULL,
      tag       TEXT NOT NULL,
      color     TEXT NOT NULL,
      PRIMARY KEY (namespace, tag)
    ) STRICT;
    CREATE INDEX IF NOT EXISTS namespace_tags_by_tag ON namespace_tags (tag);
    CREATE TABLE IF NOT EXISTS namespace_dependencies (
      namespace  TEXT NOT NULL,
      depends_on TEXT NOT NULL,
      PRIMARY KEY (namespace, depends_on)
    ) STRICT;
    CREATE INDEX IF NOT EXISTS namespace_dependents ON namespace_dependencies (depends_on);
    CREATE TABLE IF NOT EXISTS namespace_schemas (
      namespace TEXT PRIMARY KEY,
      sha256    TEXT NOT NULL,
      schema    TEXT NOT NULL,
      set_at    TEXT NOT NULL,
      set_by    TEXT NOT NULL,
      revision  INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS namespace_grants (
      namespace TEXT NOT NULL,
      subject   TEXT NOT NULL,
      access    TEXT NOT NULL,
      PRIMARY KEY (namespace, subject)
    ) STRICT;
    CREATE INDEX IF NOT EXISTS namespace_grants_by_subject ON namespace_grants (subject);
    CREATE TABLE IF NOT EXISTS namespace_encryption (namespace TEXT PRIMARY KEY) STRICT;`,
  bind(db) {
    // A namespace created again after its deletion starts a new life in the same row.
    const create = db.prepare(
      `INSERT INTO namespaces (name, entry_count, bytes, revision, created_at, updated_at)
       VALUES (?, 0, 0, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET
         deleted = 0, entry_count = 0, bytes = 0, revision = excluded.revision, created_at = excluded.created_at,
         updated_at = excluded.updated_at, default_ttl_seconds = NULL, max_entries = NULL, max_bytes = NULL`,
    );
    const remove = db.prepare(
      `UPDATE namespaces SET deleted = 1, entry_count = 0, bytes = 0, default_ttl_seconds = NULL, max_entries = NULL, max_bytes = NULL
       WHERE name = ?`,
    );
    const removeTags = db.prepare('DELETE FROM namespace_tags WHERE namespace = ?');
    const removeDependencies = db.prepare('DELETE FROM namespace_dependencies WHERE namespace = ?');
    const removeGrants = db.prepare('DELETE FROM namespace_grants WHERE namespace = ?');
    const grant = db.prepare(
      'INSERT INTO namespace_grants (namespace, subject, access) VALUES (?, ?, ?) ON CONFLICT (namespace, subject) DO UPDATE SET access = excluded.access',
    );
    const revoke = db.prepare('DELETE FROM namespace_grants WHERE namespace = ? AND subject = ?');
    const setQuota = db.prepare('UPDATE namespaces SET max_entries = ?, max_bytes = ? WHERE name = ?');
    const setTag = db.prepare(
      'INSERT INTO namespace_tags (namespace, tag, color) VALUES (?, ?, ?) ON CONFLICT (namespace, tag) DO UPDATE SET color = excluded.color',
    );
    const removeTag = db.prepare('DELETE FROM namespace_tags WHERE namespace = ? AND tag = ?');
    const addDependency = db.prepare('INSERT OR IGNORE INTO namespace_dependencies (namespace, depends_on) VALUES (?, ?)');
    const removeDependency = db.prepare('DELETE FROM namespace_dependencies WHERE namespace = ? AND depends_on = ?');
    const setSchema = db.prepare(
      `INSERT INTO namespace_schemas (namespace, sha256, schema, set_at, set_by, revision) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (namespace) DO UPDATE SET sha256 = excluded.sha256, schema = excluded.schema, set_at = excluded.set_at,
         set_by = excluded.set_by, revision = excluded.revision`,
    );
    const removeSchema = db.prepare('DELETE FROM namespace_schemas WHERE namespace = ?');
    const encrypt = db.prepare('INSERT OR IGNORE INTO namespace_encryption (namespace) VALUES (?)');
    const unencrypt = db.prepare('DELETE FROM namespace_encryption WHERE namespace = ?');
    const change = db.prepare(
      `UPDATE namespaces SET entry_count = entry_count + ?, bytes = bytes + ?, revision = ?, updated_at = ? WHERE name = ?`,
    );
    const configure = db.prepare('UPDATE namespaces SET default_ttl_seconds = ? WHERE name = ?');
    const previousSize = db.prepare('SELECT length(value) AS size FROM entries WHERE namespace = ? AND key = ? AND deleted_at IS NULL');
    const liveSize = (ns: string, key: string): number | undefined => {
      const row = previousSize.get(ns, key) as { size: number } | undefined;
      return row && entryBytes(key, row.size);
    };
    return (event) => {
      if (!isNamespaceEvent(event)) return;
      const at = event.metadata.timestamp;
      const name = event.data.namespace;
      if (event.type === 'StoreNamespaceCreated') {
        create.run(name, event.revision, at, at);
        if (event.data.encrypted) encrypt.run(name);
        else unencrypt.run(name);
        return;
      }
      switch (event.type) {
        case 'StoreNamespaceConfigured': configure.run(event.data.defaultTtlSeconds, name); break;
        case 'StoreNamespaceDeleted':
          remove.run(name); removeTags.run(name); removeDependencies.run(name); removeSchema.run(name); removeGrants.run(name); unencrypt.run(name);
          break;
        case 'StoreQuotaSet': setQuota.run(event.data.maxEntries, event.data.maxBytes, name); break;
        case 'StoreTagSet': setTag.run(name, event.data.tag, event.data.color); break;
        case 'StoreTagRemoved': removeTag.run(name, event.data.tag); break;
        case 'StoreDependencyAdded': addDependency.run(name, event.data.dependsOn); break;
        case 'StoreDependencyRemoved': removeDependency.run(name, event.data.dependsOn); break;
        case 'StoreSchemaSet':
          setSchema.run(name, event.data.sha256, JSON.stringify(event.data.schema), at, event.metadata.actor, event.revision);
          break;
        case 'StoreSchemaRemoved': removeSchema.run(name); break;
        case 'StoreAccessGranted': grant.run(name, event.data.subject, event.data.access); break;
        case 'StoreAccessRevoked': revoke.run(name, event.data.subject); break;
        default: break;
      }
      // A key is created only where it is not live (never written, deleted, or its expiry recorded just before).
      const before = isEntryEvent(event) && event.type !== 'StoreEntryCreated' ? liveSize(name, event.data.key) : undefined;
      const after = isEntryEvent(event) ? sizeAfter(event, before) : undefined;
      const count = Number(after !== undefined) - Number(before !== undefined);
      // Positional parameters: binding by name costs more, and this runs for every event of a rebuild.
      change.run(count, (after ?? 0) - (before ?? 0), event.revision, at, name);
    };
  },
};

export const namespacesProjection = decodingProjection(namespacesTypedProjection);

function sizeAfter(event: EntryEvent, before: number | undefined): number | undefined {
  switch (event.type) {
    case 'StoreEntryCreated':
    case 'StoreEntryUpdated':
    case 'StoreEntryRestored':
      return entryBytes(event.data.key, valueSize(event.data));
    case 'StoreEntryTtlSet':
      return before;
    case 'StoreEntryDeleted':
    case 'StoreEntryExpired':
    case 'StoreEntryPurged':
      return undefined;
  }
}

function valueSize(data: { value?: string; valueBase64?: string }): number {
  return data.valueBase64 !== undefined ? Buffer.from(data.valueBase64, 'base64').length : Buffer.byteLength(data.value!);
}

export interface QuotaView {
  maxEntries: number | null;
  maxBytes: number | null;
  usedEntries: number;
  usedBytes: number;
}

export interface NamespaceView {
  name: string;
  entryCount: number;
  bytes: number;
  revision: number;
  defaultTtlSeconds: number | null;
  quota: QuotaView;
  /** Tag name -> colour. */
  tags: Record<string, string>;
  /** The namespaces this one depends on, by name. */
  dependsOn: string[];
  /** Its values are sealed under its own data keys (chosen at creation). */
  encrypted: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A namespace's value schema, with who set it and when. */
export interface SchemaView {
  namespace: string;
  sha256: string;
  schema: unknown;
  setAt: string;
  setBy: string;
  /** The namespace revision of the StoreSchemaSet. */
  revision: number;
}

export interface DependenciesView {
  /** The namespaces this one depends on itself, by name. */
  direct: string[];
  /** Everything it depends on, transitively, dependencies first. */
  resolved: string[];
}

interface NamespaceRow {
  name: string;
  entry_count: number;
  bytes: number;
  revision: number;
  default_ttl_seconds: number | null;
  max_entries: number | null;
  max_bytes: number | null;
  deleted: number;
  created_at: string;
  updated_at: string;
}

export class NamespacesReadModel {
  private readonly one: Statement;
  private readonly all: Statement;
  private readonly streams: Statement;
  private readonly tagged: Statement;
  private readonly tagsOf: Statement;
  private readonly allTags: Statement;
  private readonly dependenciesOf: Statement;
  private readonly allDependencies: Statement;
  private readonly dependents: Statement;
  private readonly schemaOf: Statement;
  private readonly grantsOf: Statement;
  private readonly grantsTo: Statement;
  private readonly encryptedOne: Statement;
  private readonly allEncrypted: Statement;

  constructor(db: Database) {
    this.one = db.prepare('SELECT * FROM namespaces WHERE name = ?');
    this.all = db.prepare('SELECT * FROM namespaces WHERE deleted = 0 ORDER BY name');
    this.streams = db.prepare('SELECT name FROM namespaces ORDER BY name').pluck();
    this.tagged = db.prepare(
      'SELECT n.* FROM namespaces n JOIN namespace_tags t ON t.namespace = n.name WHERE t.tag = ? AND n.deleted = 0 ORDER BY n.name',
    );
    this.tagsOf = db.prepare('SELECT tag, color FROM namespace_tags WHERE namespace = ? ORDER BY tag');
    this.allTags = db.prepare('SELECT namespace, tag, color FROM namespace_tags ORDER BY namespace, tag');
    this.dependenciesOf = db.prepare('SELECT depends_on FROM namespace_dependencies WHERE namespace = ? ORDER BY depends_on').pluck();
    this.allDependencies = db.prepare('SELECT namespace, depends_on FROM namespace_dependencies ORDER BY namespace, depends_on');
    this.dependents = db.prepare('SELECT namespace FROM namespace_dependencies WHERE depends_on = ? ORDER BY namespace').pluck();
    this.schemaOf = db.prepare('SELECT * FROM namespace_schemas WHERE namespace = ?');
    this.grantsOf = db.prepare('SELECT subject, access FROM namespace_grants WHERE namespace = ? ORDER BY subject');
    this.grantsTo = db.prepare(
      `SELECT g.namespace, g.subject, g.access FROM namespace_grants g JOIN json_each(?) s ON s.value = g.subject ORDER BY g.namespace, g.subject`,
    );
    this.encryptedOne = db.prepare('SELECT 1 FROM namespace_encryption WHERE namespace = ?').pluck();
    this.allEncrypted = db.prepare('SELECT namespace FROM namespace_encryption').pluck();
  }

  /** The value schema of a namespace, undefined when it has none. */
  schema(name: string): SchemaView | undefined {
    const row = this.schemaOf.get(name) as { sha256: string; schema: string; set_at: string; set_by: string; revision: number } | undefined;
    return row && { namespace: name, sha256: row.sha256, schema: JSON.parse(row.schema), setAt: row.set_at, setBy: row.set_by, revision: row.revision };
  }

  /** Subject -> access on one namespace (none once it is deleted). */
  grants(name: string): Grants {
    return Object.fromEntries((this.grantsOf.all(name) as { subject: string; access: Access }[]).map((g) => [g.subject, g.access]));
  }

  /** The grants given to any of `subjects`, by namespace then subject. */
  grantsFor(subjects: readonly string[]): { namespace: string; subject: string; access: Access }[] {
    return this.grantsTo.all(JSON.stringify(subjects)) as { namespace: string; subject: string; access: Access }[];
  }

  /** A namespace that exists (not deleted). */
  get(name: string): NamespaceView | undefined {
    const row = this.one.get(name) as NamespaceRow | undefined;
    return row && !row.deleted ? this.toView(row, this.tags(name), this.dependencies(name)) : undefined;
  }

  /** The namespace, or NAMESPACE_NOT_FOUND. */
  require(name: string): NamespaceView {
    const view = this.get(name);
    if (!view) throw namespaceNotFound(name);
    return view;
  }

  /** Every namespace, or those with the tag `tag`. */
  list(tag?: string): NamespaceView[] {
    const rows = (tag === undefined ? this.all.all() : this.tagged.all(tag)) as NamespaceRow[];
    const tags = new Map<string, Record<string, string>>();
    for (const t of this.allTags.all() as { namespace: string; tag: string; color: string }[]) {
      tags.set(t.namespace, { ...tags.get(t.namespace), [t.tag]: t.color });
    }
    const graph = this.graph();
    const encrypted = new Set(this.allEncrypted.all() as string[]);
    return rows.map((row) => this.toView(row, tags.get(row.name) ?? {}, graph.get(row.name) ?? [], encrypted.has(row.name)));
  }

  /** Every namespace that has a stream, deleted ones too (their history stays): what a backup holds. */
  withStreams(): string[] {
    return this.streams.all() as string[];
  }

  tags(name: string): Record<string, string> {
    return Object.fromEntries((this.tagsOf.all(name) as { tag: string; color: string }[]).map((t) => [t.tag, t.color]));
  }

  dependencies(name: string): string[] {
    return this.dependenciesOf.all(name) as string[];
  }

  /** What `name` depends on, directly and resolved; NAMESPACE_NOT_FOUND. */
  dependencyView(name: string): DependenciesView {
    this.require(name);
    return { direct: this.dependencies(name), resolved: resolveDependencies(this.graph(), name) };
  }

  /** The namespaces that depend on `name`. */
  dependentsOf(name: string): string[] {
    return this.dependents.all(name) as string[];
  }

  /** The whole dependency graph: namespace -> the namespaces it depends on. */
  graph(): Map<string, string[]> {
    const graph = new Map<string, string[]>();
    for (const { namespace, depends_on } of this.allDependencies.all() as { namespace: string; depends_on: string }[]) {
      graph.set(namespace, [...(graph.get(namespace) ?? []), depends_on]);
    }
    return graph;
  }

  /** What the write path's decision state needs of a namespace's stream, deleted or not; undefined when it has none. */
  head(name: string): ({ revision: number } & NamespaceHead) | undefined {
    const row = this.one.get(name) as NamespaceRow | undefined;
    if (!row) return undefined;
    return {
      revision: row.revision,
      exists: !row.deleted,
      defaultTtlSeconds: row.default_ttl_seconds,
      entryCount: row.entry_count,
      bytes: row.bytes,
      quota: { maxEntries: row.max_entries, maxBytes: row.max_bytes },
      tags: this.tags(name),
      dependsOn: this.dependencies(name),
      valueSchema: this.valueSchema(name),
      grants: this.grants(name),
      encrypted: this.isEncrypted(name),
    };
  }

  /** Its values are sealed (created `encrypted`). */
  isEncrypted(name: string): boolean {
    return this.encryptedOne.get(name) !== undefined;
  }

  private valueSchema(name: string): ValueSchema | null {
    const view = this.schema(name);
    return view ? { sha256: view.sha256, schema: view.schema } : null;
  }

  private toView(row: NamespaceRow, tags: Record<string, string>, dependsOn: string[], encrypted = this.isEncrypted(row.name)): NamespaceView {
    return {
      name: row.name,
      entryCount: row.entry_count,
      bytes: row.bytes,
      revision: row.revision,
      defaultTtlSeconds: row.default_ttl_seconds,
      quota: { maxEntries: row.max_entries, maxBytes: row.max_bytes, usedEntries: row.entry_count, usedBytes: row.bytes },
      tags,
      dependsOn,
      encrypted,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }
}
