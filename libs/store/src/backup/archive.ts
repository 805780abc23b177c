import { parsePosition, PositionFormatError } from '@app/event-store';
import { StoreError } from '../shared/errors';
import { NAMESPACE_PATTERN } from '../shared/names';
import { STREAM_PREFIX } from '../shared/store-events';

/**
 * The backup archive (gzip'd NDJSON): a header line, one line per event in log order, and a
 * trailer line holding the event count and the SHA-256 (hex) of every byte before the trailer,
 * uncompressed. Only namespace streams are archived; the store-wide stream records the store's
 * own operations and stays with the store.
 */
export const ARCHIVE_FORMAT = 'hexastore-backup';
export const ARCHIVE_FORMAT_VERSION = 1;
/** Longest line read; longer ones are refused, so a foreign file cannot make the reader hold it whole. */
export const MAX_ARCHIVE_LINE_BYTES = 256 * 1024 * 1024;

export interface ArchiveHeader {
  readonly format: typeof ARCHIVE_FORMAT;
  readonly formatVersion: number;
  readonly createdAt: string;
  readonly sourceBackend: string;
  /** Position of the last event of the source log the archive covers; null for an empty log. */
  readonly headPosition: string | null;
  readonly incarnation: string;
  readonly namespaces: readonly string[];
}

export interface ArchivedEvent {
  readonly stream: string;
  readonly revision: number;
  readonly id: string;
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
  /** When the source log recorded the event. */
  readonly timestamp: string;
}

export interface ArchiveTrailer {
  readonly eventCount: number;
  readonly sha256: string;
}

export const archiveInvalid = (problem: string, details: Record<string, unknown> = {}) =>
  new StoreError('ARCHIVE_INVALID', `the archive is not valid: ${problem}`, details);

const HEADER_KEYS = ['createdAt', 'format', 'formatVersion', 'headPosition', 'incarnation', 'namespaces', 'sourceBackend'];
const EVENT_KEYS = ['data', 'id', 'metadata', 'revision', 'stream', 'timestamp', 'type'];
const TRAILER_KEYS = ['eventCount', 'sha256'];
const ISO_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const EVENT_TYPE_RE = /^Store[A-Z][A-Za-z0-9]{0,99}$/;
const SHA256_RE = /^[0-9a-f]{64}$/;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isTime = (value: unknown) => typeof value === 'string' && ISO_TIME_RE.test(value) && Number.isFinite(Date.parse(value));
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const hasKeys = (value: Json, keys: readonly string[]) => {
  const own = Object.keys(value).sort();
  return own.length === keys.length && own.every((k, i) => k === keys[i]);
};

/** The namespace a stream of the archive belongs to, or undefined for any other stream name. */
export function namespaceOfStream(stream: string): string | undefined {
  if (!stream.startsWith(STREAM_PREFIX)) return undefined;
  const name = stream.slice(STREAM_PREFIX.length);
  return NAMESPACE_PATTERN.test(name) ? name : undefined;
}

export function parseJsonLine(line: Buffer, lineNumber: number): unknown {
  try {
    return JSON.parse(line.toString('utf8'));
  } catch {
    throw archiveInvalid(`line ${lineNumber} is not JSON`, { line: lineNumber });
  }
}

export function checkHeader(value: unknown): ArchiveHeader {
  if (!isObject(value) || value.format !== ARCHIVE_FORMAT) {
    throw archiveInvalid(`the first line is not a ${ARCHIVE_FORMAT} header`, { line: 1 });
  }
  if (value.formatVersion !== ARCHIVE_FORMAT_VERSION) {
    throw archiveInvalid(`format version ${JSON.stringify(value.formatVersion)} is not supported (this store reads version ${ARCHIVE_FORMAT_VERSION})`, {
      line: 1, formatVersion: value.formatVersion,
    });
  }
  const problem =
    !hasKeys(value, HEADER_KEYS) ? `it has the fields ${Object.keys(value).sort().join(', ')}, not ${HEADER_KEYS.join(', ')}`
    : !isTime(value.createdAt) ? 'createdAt is not an ISO-8601 time'
    : typeof value.sourceBackend !== 'string' || value.sourceBackend === '' ? 'sourceBackend is not a name'
    : !(value.headPosition === null || isPosition(value.headPosition)) ? 'headPosition is not a log position'
    : typeof value.incarnation !== 'string' || !/^[a-z0-9]{1,32}$/.test(value.incarnation) ? 'incarnation is not an incarnation id'
    : !isNamespaceList(value.namespaces) ? 'namespaces is not a list of distinct namespace names'
    : undefined;
  if (problem) throw archiveInvalid(`header: ${problem}`, { line: 1 });
  return value as unknown as ArchiveHeader;
}

/** Checks the shape of one event line; the order of revisions is the reader's to check. */
export function checkEvent(value: unknown, lineNumber: number): ArchivedEvent {
  const where = `line ${lineNumber}`;
  if (!isObject(value) || !hasKeys(value, EVENT_KEYS)) {
    throw archiveInvalid(`${where} is not an event (fields ${EVENT_KEYS.join(', ')})`, { line: lineNumber });
  }
  const problem =
    typeof value.stream !== 'string' || namespaceOfStream(value.stream) === undefined ? 'stream is not a namespace stream'
    : !isCount(value.revision) ? 'revision is not a whole number'
    : typeof value.id !== 'string' || value.id.length === 0 || value.id.length > 255 ? 'id is not an event id'
    : typeof value.type !== 'string' || !EVENT_TYPE_RE.test(value.type) ? 'type is not a store event type'
    : !isObject(value.data) ? 'data is not an object'
    : !isObject(value.metadata) ? 'metadata is not an object'
    : !isTime(value.timestamp) ? 'timestamp is not an ISO-8601 time'
    : undefined;
  if (problem) throw archiveInvalid(`${where}: ${problem}`, { line: lineNumber });
  return value as unknown as ArchivedEvent;
}

/** A trailer is told from an event by its `sha256` field. */
export const looksLikeTrailer = (value: unknown): boolean => isObject(value) && 'sha256' in value;

export function checkTrailer(value: unknown, lineNumber: number): ArchiveTrailer {
  if (!isObject(value) || !hasKeys(value, TRAILER_KEYS) || !isCount(value.eventCount) || typeof value.sha256 !== 'string' || !SHA256_RE.test(value.sha256)) {
    throw archiveInvalid(`line ${lineNumber} is not a trailer ({eventCount, sha256})`, { line: lineNumber });
  }
  return value as unknown as ArchiveTrailer;
}

function isPosition(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    parsePosition(value);
    return true;
  } catch (error) {
    if (error instanceof PositionFormatError) return false;
    throw error;
  }
}

function isNamespaceList(value: unknown): value is string[] {
  return Array.isArray(value)
    && value.every((n) => typeof n === 'string' && NAMESPACE_PATTERN.test(n))
    && new Set(value).size === value.length;
}

/**
 * Splits bytes into lines at `\n`, keeping each line's bytes as they came (they are hashed).
 * Refuses a line longer than `maxLineBytes`.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private linesDone = 0;

  constructor(private readonly maxLineBytes = MAX_ARCHIVE_LINE_BYTES) {}

  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, end);
      this.grow(piece.length);
      lines.push(this.pending.length === 0 ? piece : Buffer.concat([...this.pending, piece]));
      this.pending = [];
      this.pendingBytes = 0;
      this.linesDone += 1;
      start = end + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.grow(rest.length);
      this.pending.push(Buffer.from(rest)); // a copy: the caller may reuse its buffer
    }
    return lines;
  }

  /** Bytes after the last newline (an unterminated last line). */
  get remainder(): number {
    return this.pendingBytes;
  }

  private grow(bytes: number): void {
    this.pendingBytes += bytes;
    if (this.pendingBytes > this.maxLineBytes) {
      const line = this.linesDone + 1;
      throw archiveInvalid(`line ${line} is longer than ${this.maxLineBytes} bytes`, { line });
    }
  }
}
