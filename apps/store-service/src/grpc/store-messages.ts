import { DeleteOp, EntryOp, EntryView, FeedEvent, invalid, PutOp } from '@app/store';

/** The hexastore.v1 messages as the loader decodes them (lowerCamelCase, 64-bit numbers as numbers). */
export interface PutRequest {
  namespace: string;
  key: string;
  value: Buffer;
  metadata: Record<string, string>;
  ttlSeconds?: number;
  expectedVersion?: number;
}
export interface GetRequest { namespace: string; key: string; minPosition: string }
export interface DeleteRequest { namespace: string; key: string; expectedVersion?: number }
export interface ListRequest { namespace: string; prefix: string; limit: number; cursor: string; minPosition: string }
export interface TxnRequest {
  namespace: string;
  ops: { op?: 'put' | 'delete'; put?: Omit<PutRequest, 'namespace'>; delete?: Omit<DeleteRequest, 'namespace'> }[];
}
export interface WatchRequest {
  namespace: string;
  after: string;
  fromStart: boolean;
  prefix: string;
  types: string[];
  withoutValues: boolean;
}
export interface BackupRequest { namespaces: string[] }

/** An empty string is proto3's "not given". */
export const given = (text: string): string | undefined => (text === '' ? undefined : text);

/** A 64-bit field decoded past 2^53 lost digits: refused rather than rounded. */
function whole(value: number | undefined, name: string): number | undefined {
  if (value !== undefined && !Number.isSafeInteger(value)) throw invalid(`${name} is a whole number up to ${Number.MAX_SAFE_INTEGER}`);
  return value;
}

export function toPutOp(request: Omit<PutRequest, 'namespace'>): PutOp {
  return {
    op: 'put',
    key: request.key,
    value: request.value,
    metadata: Object.keys(request.metadata).length === 0 ? undefined : request.metadata,
    ttlSeconds: request.ttlSeconds,
    expectedVersion: whole(request.expectedVersion, 'expectedVersion'),
  };
}

export function toDeleteOp(request: Omit<DeleteRequest, 'namespace'>): DeleteOp {
  return { op: 'delete', key: request.key, expectedVersion: whole(request.expectedVersion, 'expectedVersion') };
}

export function toEntryOps(request: TxnRequest): EntryOp[] {
  if (request.ops.length === 0) throw invalid('ops holds at least one op');
  return request.ops.map((op, opIndex) => {
    if (op.op === 'put' && op.put) return toPutOp(op.put);
    if (op.op === 'delete' && op.delete) return toDeleteOp(op.delete);
    throw invalid(`op ${opIndex}: give put or delete`, { opIndex });
  });
}

export const valueBytes = (view: { value?: string; valueBase64?: string }): Buffer =>
  view.valueBase64 !== undefined ? Buffer.from(view.valueBase64, 'base64') : Buffer.from(view.value ?? '', 'utf8');

export const toEntry = (view: EntryView) => ({
  namespace: view.namespace,
  key: view.key,
  value: valueBytes(view),
  metadata: view.metadata,
  version: view.version,
  modRevision: view.modRevision,
  createdAt: view.createdAt,
  updatedAt: view.updatedAt,
  expiresAt: view.expiresAt ?? '',
});

const hasValue = (event: FeedEvent) => typeof event.value === 'string' || typeof event.valueBase64 === 'string';

export const toWatchEvent = (event: FeedEvent) => ({
  position: event.position,
  type: event.type,
  namespace: event.namespace ?? '',
  key: event.key ?? '',
  version: event.version ?? 0,
  revision: event.revision,
  timestamp: event.timestamp,
  actor: event.actor,
  value: hasValue(event) ? valueBytes(event as { value?: string; valueBase64?: string }) : Buffer.alloc(0),
  json: JSON.stringify(event),
});

const EVENT_TYPE_RE = /^Store[A-Za-z]{1,60}$/;

export function watchTypes(types: readonly string[]): ReadonlySet<string> | undefined {
  if (types.length === 0) return undefined;
  if (types.length > 100 || !types.every((t) => EVENT_TYPE_RE.test(t))) throw invalid('types lists event types such as StoreEntryCreated');
  return new Set(types);
}
