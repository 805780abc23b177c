import { NamespaceCreated, NamespaceEvent, namespaceNotFound, NamespaceState } from './namespace';
import { invalid, StoreError } from '../shared/errors';
import { StoreLimits } from '../shared/limits';
import { validateKey } from '../shared/names';
import { encodeValue, EntryContent, EntryEvent, EntryState, isExpired, isLive } from './entry';
import { enforceQuota } from './quota.decide';
import { checkValueSchema } from './value-schema.decide';
import { ValueSchemaValidators } from './value-schema';

export interface PutOp {
  readonly op: 'put';
  readonly key: string;
  readonly value: Uint8Array;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly ttlSeconds?: number;
  /** 0: the key must not exist; n: its current version must be n. */
  readonly expectedVersion?: number;
}

export interface DeleteOp {
  readonly op: 'delete';
  readonly key: string;
  readonly expectedVersion?: number;
}

export type EntryOp = PutOp | DeleteOp;

export interface WriteRules {
  readonly now: Date;
  readonly limits: StoreLimits;
  /** Compiled value schemas; needed when the namespace has one. */
  readonly valueSchemas?: ValueSchemaValidators;
}

/**
 * PutEntry, DeleteEntry and CommitTransaction: every op is checked against the state before the
 * write (a key appears at most once, as in etcd), and any refusal refuses them all. A put into a
 * missing namespace creates it first. Errors of a transaction name the failing op's index.
 * Inside a transaction (as in etcd) a delete of a key that is absent — never written, deleted or
 * expired — is a no-op that emits nothing, unless its `expectedVersion` says otherwise; a
 * transaction of such deletes alone in a namespace that does not exist is NAMESPACE_NOT_FOUND.
 * A plain DeleteEntry of an absent key is ENTRY_NOT_FOUND. Writes that would take the namespace
 * past its quota are QUOTA_EXCEEDED, all ops together. A put whose value is not JSON satisfying the
 * namespace's value schema is SCHEMA_VIOLATION.
 */
export function decideWrites(
  ops: readonly EntryOp[],
  state: NamespaceState,
  rules: WriteRules,
  asTransaction = ops.length > 1,
): NamespaceEvent[] {
  checkTransactionShape(ops, rules.limits);
  const events = ops.flatMap((op, index) => {
    const current = state.entries.get(op.key);
    try {
      return op.op === 'put' ? decidePut(op, current, state, rules) : decideDelete(op, current, state.name, rules, asTransaction);
    } catch (error) {
      throw asTransaction && error instanceof StoreError
        ? new StoreError(error.code, `op ${index}: ${error.message}`, { ...error.details, opIndex: index })
        : error;
    }
  });
  const anyPut = ops.some((op) => op.op === 'put');
  if (!state.exists && !anyPut && asTransaction) throw namespaceNotFound(state.name);
  const created: NamespaceCreated[] = !state.exists && anyPut ? [{ type: 'StoreNamespaceCreated', data: { namespace: state.name } }] : [];
  checkValueSchema(ops, state, rules.valueSchemas, asTransaction);
  enforceQuota(state, events);
  return [...created, ...events];
}

function checkTransactionShape(ops: readonly EntryOp[], limits: StoreLimits): void {
  if (ops.length === 0) throw invalid('a transaction needs at least one op');
  if (ops.length > limits.maxTransactionOps) {
    throw new StoreError('TRANSACTION_TOO_LARGE', `a transaction has at most ${limits.maxTransactionOps} ops (got ${ops.length})`);
  }
  const bytes = ops.reduce((sum, op) => sum + (op.op === 'put' ? op.value.byteLength : 0), 0);
  if (bytes > limits.maxTransactionBytes) {
    throw new StoreError('TRANSACTION_TOO_LARGE', `the values of a transaction total at most ${limits.maxTransactionBytes} bytes (got ${bytes})`);
  }
  const seen = new Set<string>();
  ops.forEach((op, opIndex) => {
    if (seen.has(op.key)) throw invalid(`op ${opIndex}: key appears twice in one transaction`, { opIndex, key: op.key });
    seen.add(op.key);
  });
}

function decidePut(op: PutOp, current: EntryState | undefined, state: NamespaceState, { now, limits }: WriteRules): EntryEvent[] {
  validateKey(op.key, limits.maxKeyBytes);
  if (op.value.byteLength > limits.maxValueBytes) {
    throw new StoreError('PAYLOAD_TOO_LARGE', `a value is at most ${limits.maxValueBytes} bytes (got ${op.value.byteLength})`, { key: op.key });
  }
  const metadata = checkMetadata(op.metadata ?? {}, limits);
  const ttlSeconds = op.ttlSeconds ?? state.defaultTtlSeconds ?? undefined;
  const expiresAt = ttlSeconds === undefined ? null : now.getTime() + checkTtl(ttlSeconds, limits) * 1000;
  checkExpectedVersion(op, liveOrUndefined(current, now));
  return writeEntry(state.name, op.key, { ...encodeValue(op.value), metadata }, expiresAt, current, now);
}

/**
 * The events that give a key this content: an update of a live entry, else a creation at version 1.
 * A live entry whose expiry has passed but is not recorded yet gets its StoreEntryExpired first,
 * so every expiry is in the log exactly once whoever notices it.
 */
export function writeEntry(
  namespace: string,
  key: string,
  content: EntryContent,
  expiresAt: number | null,
  current: EntryState | undefined,
  now: Date,
): EntryEvent[] {
  const live = liveOrUndefined(current, now);
  const data = { namespace, key, ...content, expiresAt, version: live ? live.version + 1 : 1 };
  if (live) return [{ type: 'StoreEntryUpdated', data }];
  return [...expiryOf(namespace, key, current, now), { type: 'StoreEntryCreated', data }];
}

/** StoreEntryExpired for a key that is not deleted and whose expiry has passed; nothing otherwise. */
export function expiryOf(namespace: string, key: string, current: EntryState | undefined, now: Date): EntryEvent[] {
  return current && !current.deleted && isExpired(current, now.getTime())
    ? [{ type: 'StoreEntryExpired', data: { namespace, key, version: current.version } }]
    : [];
}

function decideDelete(
  op: DeleteOp, current: EntryState | undefined, namespace: string, { now, limits }: WriteRules, inTransaction: boolean,
): EntryEvent[] {
  validateKey(op.key, limits.maxKeyBytes);
  checkVersionShape(op);
  if (inTransaction && !isLive(current, now.getTime())) {
    checkExpectedVersion(op, undefined);
    return [];
  }
  const live = requireLive(namespace, op.key, current, now);
  checkExpectedVersion(op, live);
  return [{ type: 'StoreEntryDeleted', data: { namespace, key: op.key, version: live.version } }];
}

const liveOrUndefined = (current: EntryState | undefined, now: Date) => (isLive(current, now.getTime()) ? current : undefined);

export const entryNotFound = (namespace: string, key: string, why = '') =>
  new StoreError('ENTRY_NOT_FOUND', `no entry ${JSON.stringify(key)} in namespace ${namespace}${why}`, { key });

export function requireLive(namespace: string, key: string, current: EntryState | undefined, now: Date): EntryState {
  if (!isLive(current, now.getTime())) throw entryNotFound(namespace, key);
  return current;
}

/** `expectedVersion` against the entry's live version (0 when it is absent, deleted or expired). */
export function checkExpectedVersion(op: { key: string; expectedVersion?: number }, live: EntryState | undefined): void {
  if (op.expectedVersion === undefined) return;
  checkVersionShape(op);
  const actual = live?.version ?? 0;
  if (actual !== op.expectedVersion) {
    throw new StoreError('VERSION_CONFLICT', `key ${JSON.stringify(op.key)} is at version ${actual}, not ${op.expectedVersion}`, {
      key: op.key, expectedVersion: op.expectedVersion, actualVersion: actual,
    });
  }
}

function checkVersionShape(op: { key: string; expectedVersion?: number }): void {
  const v = op.expectedVersion;
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw invalid('expectedVersion is a whole number >= 0', { key: op.key });
}

export function checkTtl(ttlSeconds: number, limits: StoreLimits): number {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > limits.maxTtlSeconds) {
    throw invalid(`ttlSeconds is a whole number from 1 to ${limits.maxTtlSeconds}`);
  }
  return ttlSeconds;
}

function checkMetadata(metadata: Readonly<Record<string, string>>, limits: StoreLimits): Record<string, string> {
  const pairs = Object.entries(metadata);
  if (pairs.length > limits.maxMetadataPairs) throw invalid(`metadata has at most ${limits.maxMetadataPairs} pairs`);
  for (const [name, value] of pairs) {
    if (typeof value !== 'string') throw invalid(`metadata ${JSON.stringify(name)}: values are strings`);
    if (name.length === 0 || Buffer.byteLength(name) > limits.maxMetadataKeyBytes) {
      throw invalid(`metadata names are 1-${limits.maxMetadataKeyBytes} bytes`);
    }
    if (Buffer.byteLength(value) > limits.maxMetadataValueBytes) {
      throw invalid(`metadata ${JSON.stringify(name)}: a value is at most ${limits.maxMetadataValueBytes} bytes`);
    }
  }
  return Object.fromEntries(pairs);
}
