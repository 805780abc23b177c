import { StoreUnavailableError } from './errors';
import { Call, ClientOptions, Query, Transport } from './transport';
import type {
  AccessAuditFilter, AccessAuditItem, AuditTrailFilter, AuditTrailItem, Consumer, CreateNamespaceResult, DataKey, Dependencies, Entry, EntryAsOf,
  EntryPage, EntryWriteResult, HistoryItem, KeyWriteResult, ListedEntry, Namespace,
  Page, Position, PurgeResult, ReadinessReport, RebuildResult, ReloadResult, Replica, RestoreResult, RollbackPoint, RollbackResult,
  Snapshot, StatePage, SubjectGrant, TransactionResult, WhoAmI, Lock, LockGrant, ValueSchemaInfo, SetSchemaResult, Migration, KeyRotation, KeysShredded,
} from './types';
import type { Access } from './types';
import { withLock } from './locks';
import type {
  BackupDownload, CallOptions, DeleteOptions, ListOptions, LockLease, LockOptions, PageOptions, PutOptions, ReadOptions, TransactionOp,
  WithLockOptions, WriteOptions,
} from './options';
import { FeedWatch, WatchOptions } from './watch';

/**
 * The typed client of the store's v1 HTTP API. Refusals throw StoreRequestError (by status:
 * NotFoundError, ConflictError, CursorStaleError, InvalidRequestError) carrying the problem `code`;
 * an unreachable store throws StoreUnavailableError once the retries are spent.
 */
export class StoreClient {
  private readonly http: Transport;

  constructor(options: ClientOptions | string = {}) {
    this.http = new Transport(typeof options === 'string' ? { url: options } : options);
  }

  get url(): string {
    return this.http.baseUrl;
  }

  /** Every namespace, or only those with `options.tag`. */
  listNamespaces(options: ReadOptions & { tag?: string } = {}): Promise<Namespace[]> {
    return this.read('/v1/namespaces', options, { tag: options.tag });
  }

  getNamespace(namespace: string, options: ReadOptions = {}): Promise<Namespace> {
    return this.read(nsPath(namespace), options);
  }

  /** `encrypted`: its values are sealed under its own data keys (the service needs a master key; chosen at creation only). */
  createNamespace(namespace: string, options: WriteOptions & { encrypted?: boolean } = {}): Promise<CreateNamespaceResult> {
    const { encrypted, ...write } = options;
    return this.write('PUT', nsPath(namespace), encrypted === undefined ? undefined : { encrypted }, write);
  }

  /** A new data key for an encrypted namespace; older values stay readable with theirs. */
  rotateKey(namespace: string, options: WriteOptions = {}): Promise<KeyRotation> {
    return this.write('POST', `${nsPath(namespace)}/keys/rotate`, undefined, options);
  }

  /** The data keys of an encrypted namespace, oldest first: ids and dates only. */
  async listKeys(namespace: string, options: CallOptions = {}): Promise<DataKey[]> {
    return (await this.read<{ items: DataKey[] }>(`${nsPath(namespace)}/keys`, options)).items;
  }

  /** Destroys the data keys of an encrypted namespace: its values answer 410 VALUE_SHREDDED for good. */
  shred(namespace: string, options: WriteOptions = {}): Promise<KeysShredded> {
    return this.write('POST', `${nsPath(namespace)}/shred`, undefined, options);
  }

  /** Its entries gone from reads and lists, its history kept; the name can be used again. Refused while others depend on it. */
  async deleteNamespace(namespace: string, options: WriteOptions = {}): Promise<void> {
    await this.write('DELETE', nsPath(namespace), undefined, options);
  }

  /** Sets the limits given; null clears one, a limit left out stays. Answers the namespace with its quota. */
  setQuota(namespace: string, quota: { maxEntries?: number | null; maxBytes?: number | null }, options: WriteOptions = {}): Promise<Namespace> {
    return this.write('PUT', `${nsPath(namespace)}/quota`, quota, options);
  }

  /** The namespace's tags: name -> colour. */
  tags(namespace: string, options: ReadOptions = {}): Promise<Record<string, string>> {
    return this.read(`${nsPath(namespace)}/tags`, options);
  }

  /** Tags the namespace with a colour `#rrggbb`; answers all its tags. */
  setTag(namespace: string, tag: string, color: string, options: WriteOptions = {}): Promise<Record<string, string>> {
    return this.write('PUT', `${nsPath(namespace)}/tags/${encodeURIComponent(tag)}`, { color }, options);
  }

  async removeTag(namespace: string, tag: string, options: WriteOptions = {}): Promise<void> {
    await this.write('DELETE', `${nsPath(namespace)}/tags/${encodeURIComponent(tag)}`, undefined, options);
  }

  /** Gives `subject` (`user:<name>` or `role:<name>`) read, write or admin access to the namespace (namespace admin). */
  grant(namespace: string, subject: string, access: Access, options: WriteOptions = {}): Promise<SubjectGrant> {
    return this.write('PUT', `${nsPath(namespace)}/grants/${encodeURIComponent(subject)}`, { access }, options);
  }

  /** Takes the subject's grant away; 404 GRANT_NOT_FOUND when it has none. */
  async revoke(namespace: string, subject: string, options: WriteOptions = {}): Promise<void> {
    await this.write('DELETE', `${nsPath(namespace)}/grants/${encodeURIComponent(subject)}`, undefined, options);
  }

  /** The namespace's grants, by subject (namespace admin). */
  async listGrants(namespace: string, options: ReadOptions = {}): Promise<{ subject: string; access: Access }[]> {
    return (await this.read<{ items: { subject: string; access: Access }[] }>(`${nsPath(namespace)}/grants`, options)).items;
  }

  /** Whether the subject's own grant (or `role:admin`) allows `access` on the namespace. */
  async checkGrant(namespace: string, subject: string, access: Access, options: ReadOptions = {}): Promise<boolean> {
    return (await this.read<{ allowed: boolean }>(`${nsPath(namespace)}/grants/check`, options, { subject, access })).allowed;
  }

  /** What the namespace depends on: `direct`, and `resolved` in dependency order (dependencies first). */
  dependencies(namespace: string, options: ReadOptions = {}): Promise<Dependencies> {
    return this.read(`${nsPath(namespace)}/dependencies`, options);
  }

  /** `namespace` depends on `other` (which must exist); a cycle is refused with 409 DEPENDENCY_CYCLE naming it. */
  addDependency(namespace: string, other: string, options: WriteOptions = {}): Promise<Dependencies> {
    return this.write('PUT', `${nsPath(namespace)}/dependencies/${encodeURIComponent(other)}`, undefined, options);
  }

  async removeDependency(namespace: string, other: string, options: WriteOptions = {}): Promise<void> {
    await this.write('DELETE', `${nsPath(namespace)}/dependencies/${encodeURIComponent(other)}`, undefined, options);
  }

  /** Acquires a lease: 409 LOCK_HELD (a ConflictError) while another holds it. Not retried: a lost answer may have granted it. */
  acquireLock(name: string, options: LockOptions): Promise<LockGrant> {
    return this.lockCall('POST', lockPath(name), { owner: options.owner ?? crypto.randomUUID(), ttlSeconds: options.ttlSeconds }, options);
  }

  /** The lease runs `ttlSeconds` from now; 409 LOCK_TOKEN_INVALID once it was lost. */
  renewLock(name: string, token: number, ttlSeconds: number, options: CallOptions = {}): Promise<LockGrant> {
    return this.http.json({ method: 'PUT', path: lockPath(name), body: { token, ttlSeconds }, retry: true, signal: options.signal });
  }

  async releaseLock(name: string, token: number, options: CallOptions = {}): Promise<void> {
    await this.lockCall('DELETE', lockPath(name), undefined, options, { token });
  }

  getLock(name: string, options: ReadOptions = {}): Promise<Lock> {
    return this.read(lockPath(name), options);
  }

  /** Freezes the namespace: while held, writes without `lockToken` (X-Lock-Token) are 423 LOCKED. */
  freezeNamespace(namespace: string, options: LockOptions): Promise<LockGrant> {
    return this.lockCall('POST', `${nsPath(namespace)}/lock`, { owner: options.owner ?? crypto.randomUUID(), ttlSeconds: options.ttlSeconds }, options);
  }

  renewFreeze(namespace: string, token: number, ttlSeconds: number, options: CallOptions = {}): Promise<LockGrant> {
    return this.http.json({ method: 'PUT', path: `${nsPath(namespace)}/lock`, body: { token, ttlSeconds }, retry: true, signal: options.signal });
  }

  async unfreezeNamespace(namespace: string, token: number, options: CallOptions = {}): Promise<void> {
    await this.lockCall('DELETE', `${nsPath(namespace)}/lock`, undefined, options, { token });
  }

  getFreeze(namespace: string, options: ReadOptions = {}): Promise<Lock> {
    return this.read(`${nsPath(namespace)}/lock`, options);
  }

  /**
   * Runs `fn` holding the lock: renewed every `renewEveryMs` (default ttl/3) while it runs, released
   * after. If the lease is lost, `fn`'s signal is aborted and withLock rejects with LockLostError.
   */
  withLock<T>(name: string, fn: (lease: LockLease) => Promise<T> | T, options: WithLockOptions): Promise<T> {
    const calls = {
      acquireLock: (n: string, o: LockOptions) => this.acquireLock(n, { ...o, signal: options.signal }),
      renewLock: (n: string, token: number, ttl: number) => this.renewLock(n, token, ttl),
      releaseLock: (n: string, token: number) => this.releaseLock(n, token),
    };
    return withLock(calls, name, fn, options);
  }

  /** The namespace's value schema; 404 SCHEMA_NOT_FOUND when it has none. */
  schema(namespace: string, options: ReadOptions = {}): Promise<ValueSchemaInfo> {
    return this.read(`${nsPath(namespace)}/schema`, options);
  }

  /** Sets a JSON Schema (2020-12) every new value must satisfy; answers it with the first existing entries that violate it. */
  setSchema(namespace: string, schema: unknown, options: WriteOptions = {}): Promise<SetSchemaResult> {
    return this.write('PUT', `${nsPath(namespace)}/schema`, { schema }, options);
  }

  async removeSchema(namespace: string, options: WriteOptions = {}): Promise<void> {
    await this.write('DELETE', `${nsPath(namespace)}/schema`, undefined, options);
  }

  /** Text goes as `value`, bytes as `valueBase64`. */
  put(namespace: string, key: string, value: string | Uint8Array, options: PutOptions = {}): Promise<EntryWriteResult> {
    const { metadata, ttlSeconds, expectedVersion } = options;
    const encoded = typeof value === 'string' ? { value } : { valueBase64: Buffer.from(value).toString('base64') };
    return this.write('PUT', entryPath(namespace, key), { ...encoded, metadata, ttlSeconds, expectedVersion }, options);
  }

  get(namespace: string, key: string, options: ReadOptions = {}): Promise<Entry> {
    return this.read(entryPath(namespace, key), options);
  }

  /** The entry as it was right after that namespace revision (time travel). */
  getAsOf(namespace: string, key: string, revision: number, options: CallOptions = {}): Promise<EntryAsOf> {
    return this.read(entryPath(namespace, key), options, { asOf: revision });
  }

  /** Whether the entry is there (HEAD): false when it, or its namespace, is not. */
  async exists(namespace: string, key: string, options: ReadOptions = {}): Promise<boolean> {
    const path = entryPath(namespace, key);
    const response = await this.http.send({ ...this.readCall(path, options), method: 'HEAD', accept: CLIENT_ERRORS });
    if (response.status === 200 || response.status === 404) return response.status === 200;
    // A HEAD answer has no body: the same GET brings the problem document (and throws it).
    await this.read(path, options);
    return true;
  }

  async delete(namespace: string, key: string, options: DeleteOptions = {}): Promise<void> {
    await this.write('DELETE', entryPath(namespace, key), undefined, options, { expectedVersion: options.expectedVersion, purge: options.purge || undefined });
  }

  /** Every entry in key order, fetched a page at a time as the iteration goes. */
  async *list(namespace: string, options: Omit<ListOptions, 'cursor'> = {}): AsyncGenerator<ListedEntry> {
    yield* items((cursor) => this.listPage(namespace, { ...options, cursor }));
  }

  listPage(namespace: string, options: ListOptions = {}): Promise<EntryPage> {
    const { prefix, limit, cursor, includeDeleted } = options;
    return this.read(`${nsPath(namespace)}/entries`, options, { prefix, limit, cursor, includeDeleted });
  }

  /** All ops or none, in one append. */
  transaction(namespace: string, ops: readonly TransactionOp[], options: WriteOptions = {}): Promise<TransactionResult> {
    return this.write('POST', `${nsPath(namespace)}/transactions`, { ops }, options);
  }

  /** A new expiry counted from now; null clears it. */
  setTtl(namespace: string, key: string, ttlSeconds: number | null, options: WriteOptions & { expectedVersion?: number } = {}): Promise<KeyWriteResult> {
    return this.write('PUT', `${entryPath(namespace, key)}/ttl`, { ttlSeconds, expectedVersion: options.expectedVersion }, options);
  }

  /** Every change of a key, oldest first. */
  async *history(namespace: string, key: string, options: CallOptions & Omit<PageOptions, 'cursor'> = {}): AsyncGenerator<HistoryItem> {
    yield* items((cursor) => this.historyPage(namespace, key, { ...options, cursor }));
  }

  historyPage(namespace: string, key: string, options: CallOptions & PageOptions = {}): Promise<Page<HistoryItem>> {
    return this.read(`${entryPath(namespace, key)}/history`, options, { limit: options.limit, cursor: options.cursor });
  }

  /** The audit trail of a namespace from the log: who did what and when, oldest first. */
  async *auditTrail(namespace: string, options: CallOptions & AuditTrailFilter & Omit<PageOptions, 'cursor'> = {}): AsyncGenerator<AuditTrailItem> {
    yield* items((cursor) => this.auditTrailPage(namespace, { ...options, cursor }));
  }

  auditTrailPage(namespace: string, options: CallOptions & AuditTrailFilter & PageOptions = {}): Promise<Page<AuditTrailItem>> {
    const time = (t: string | Date | undefined) => (t instanceof Date ? t.toISOString() : t);
    return this.read(`${nsPath(namespace)}/audit`, options, {
      actor: options.actor, type: options.type, from: time(options.from), to: time(options.to), limit: options.limit, cursor: options.cursor,
    });
  }

  /** The access audit of a namespace: every call on it and what came of it, newest first (namespace admins). */
  async *accessAudit(namespace: string, options: CallOptions & AccessAuditFilter & Omit<PageOptions, 'cursor'> = {}): AsyncGenerator<AccessAuditItem> {
    yield* items((cursor) => this.accessAuditPage(namespace, { ...options, cursor }));
  }

  accessAuditPage(namespace: string, options: CallOptions & AccessAuditFilter & PageOptions = {}): Promise<Page<AccessAuditItem>> {
    return this.read(`${nsPath(namespace)}/access-audit`, options, {
      actor: options.actor, outcome: options.outcome, limit: options.limit, cursor: options.cursor,
    });
  }

  /** Brings a deleted entry back with its last value. */
  restoreEntry(namespace: string, key: string, options: WriteOptions = {}): Promise<KeyWriteResult> {
    return this.write('POST', `${entryPath(namespace, key)}/restore`, undefined, options);
  }

  /** Makes a delete final (deleting the entry first if it is live). */
  purgeEntry(namespace: string, key: string, options: WriteOptions = {}): Promise<PurgeResult> {
    return this.write('POST', `${entryPath(namespace, key)}/purge`, undefined, options);
  }

  createRollbackPoint(namespace: string, point: { stage?: string; label?: string } = {}, options: WriteOptions = {}): Promise<RollbackPoint> {
    return this.write('POST', `${nsPath(namespace)}/rollback-points`, point, options);
  }

  async listRollbackPoints(namespace: string, options: CallOptions = {}): Promise<RollbackPoint[]> {
    return (await this.read<{ items: RollbackPoint[] }>(`${nsPath(namespace)}/rollback-points`, options)).items;
  }

  /** The point and a page of the entries visible at it. */
  getRollbackPoint(namespace: string, id: string, options: CallOptions & PageOptions = {}): Promise<RollbackPoint & { entries: StatePage }> {
    return this.read(`${nsPath(namespace)}/rollback-points/${encodeURIComponent(id)}`, options, { limit: options.limit, cursor: options.cursor });
  }

  /** Compensating events that bring the namespace back to the point's state; answers the diff. */
  rollback(namespace: string, pointId: string, options: WriteOptions = {}): Promise<RollbackResult> {
    return this.write('POST', `${nsPath(namespace)}/rollback`, { pointId }, options);
  }

  createSnapshot(namespace: string, options: WriteOptions = {}): Promise<Snapshot> {
    return this.write('POST', `${nsPath(namespace)}/snapshots`, undefined, options);
  }

  async listSnapshots(namespace: string, options: CallOptions = {}): Promise<Snapshot[]> {
    return (await this.read<{ items: Snapshot[] }>(`${nsPath(namespace)}/snapshots`, options)).items;
  }

  getSnapshot(namespace: string, id: string, options: CallOptions & PageOptions = {}): Promise<Snapshot & { entries: StatePage }> {
    return this.read(`${nsPath(namespace)}/snapshots/${encodeURIComponent(id)}`, options, { limit: options.limit, cursor: options.cursor });
  }

  /** Follows the change feed; see WatchOptions. */
  watch(options: WatchOptions = {}): FeedWatch {
    return new FeedWatch(this.http, options);
  }

  /** Records that a durable consumer has processed everything up to `position`; the last checkpoint wins, and saving the one it has writes nothing. */
  saveCheckpoint(consumer: string, position: Position, options: WriteOptions = {}): Promise<Consumer> {
    return this.write('PUT', `/v1/consumers/${encodeURIComponent(consumer)}/checkpoint`, { position }, options);
  }

  getConsumer(consumer: string, options: CallOptions = {}): Promise<Consumer> {
    return this.read(`/v1/consumers/${encodeURIComponent(consumer)}`, options);
  }

  /** Each read-model projector of the service and each durable consumer, with its lag. */
  replicas(options: CallOptions = {}): Promise<Replica[]> {
    return this.read('/v1/replicas', options);
  }

  /** HotReload of the service's config file. */
  reload(options: WriteOptions = {}): Promise<ReloadResult> {
    return this.write('POST', '/v1/admin/reload', undefined, options);
  }

  async backup(options: CallOptions & { namespaces?: readonly string[] } = {}): Promise<BackupDownload> {
    const query = (options.namespaces ?? []).map((n) => `namespace=${encodeURIComponent(n)}`).join('&');
    const response = await this.http.send({ method: 'POST', path: `/v1/admin/backup${query ? `?${query}` : ''}`, retry: false, untimed: true, signal: options.signal });
    if (!response.body) throw new StoreUnavailableError('the store answered a backup without a body');
    const filename = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1];
    return { filename, body: response.body as unknown as AsyncIterable<Uint8Array> };
  }

  /** Uploads an archive as it is read. */
  restore(archive: AsyncIterable<Uint8Array> | Uint8Array, options: CallOptions = {}): Promise<RestoreResult> {
    return this.http.json({
      method: 'POST', path: '/v1/admin/restore', raw: archive, headers: { 'content-type': 'application/gzip' }, retry: false, untimed: true, signal: options.signal,
    });
  }

  /** The event-shape migrations this store has recorded, oldest first. */
  migrations(options: CallOptions = {}): Promise<Migration[]> {
    return this.read('/v1/admin/migrations', options);
  }

  rebuild(options: CallOptions = {}): Promise<RebuildResult> {
    return this.http.json({ method: 'POST', path: '/v1/admin/rebuild', retry: false, untimed: true, signal: options.signal });
  }

  /** Who the service takes the caller for (the token's user and roles); `anonymous` while its authentication is off. */
  whoami(options: CallOptions = {}): Promise<WhoAmI> {
    return this.http.json({ method: 'GET', path: '/v1/whoami', retry: true, signal: options.signal });
  }

  /** The service's readiness report, ready (200) or not (503). */
  ready(options: CallOptions = {}): Promise<ReadinessReport> {
    return this.http.json({ method: 'GET', path: '/health/ready', retry: false, accept: [503], signal: options.signal });
  }

  private readCall(path: string, options: ReadOptions, query?: Query): Call {
    const minPosition = typeof options.minPosition === 'object' ? options.minPosition.position : options.minPosition;
    return { method: 'GET', path, query, headers: minPosition === undefined ? {} : { 'x-min-position': minPosition }, retry: true, signal: options.signal };
  }

  private read<T>(path: string, options: ReadOptions, query?: Query): Promise<T> {
    return this.http.json(this.readCall(path, options, query));
  }

  private write<T>(method: Call['method'], path: string, body: unknown, options: WriteOptions, query?: Query): Promise<T> {
    const headers: Record<string, string> = { 'idempotency-key': options.idempotencyKey ?? crypto.randomUUID() };
    if (options.lockToken !== undefined) headers['x-lock-token'] = String(options.lockToken);
    if (options.fencingToken) headers['x-fencing-token'] = `${options.fencingToken.lock}:${options.fencingToken.token}`;
    return this.http.json({ method, path, query, body, headers, retry: true, signal: options.signal });
  }

  private lockCall<T>(method: Call['method'], path: string, body: unknown, options: CallOptions, query?: Query): Promise<T> {
    return this.http.json({ method, path, query, body, retry: false, signal: options.signal });
  }
}

const lockPath = (name: string) => `/v1/locks/${encodeURIComponent(name)}`;
const CLIENT_ERRORS = Array.from({ length: 100 }, (_, i) => 400 + i);
const nsPath = (namespace: string) => `/v1/namespaces/${encodeURIComponent(namespace)}`;
/** The whole key as one segment ("/" as %2F), so a key ending in a sub-resource's name is never taken for it. */
const entryPath = (namespace: string, key: string) => `${nsPath(namespace)}/entries/${encodeURIComponent(key)}`;

async function* items<T>(page: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const next = await page(cursor);
    yield* next.items;
    cursor = next.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
