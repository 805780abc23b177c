import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { StoreError } from '../shared/errors';
import { namespaceStream } from '../shared/store-events';
import {
  ArchivedEvent, ArchiveHeader, archiveInvalid, ArchiveTrailer, checkEvent, checkHeader, checkTrailer, LineSplitter,
  looksLikeTrailer, namespaceOfStream, parseJsonLine,
} from './archive';

/** What a restore needs to know of one stream of the archive to tell a conflict from a repeat. */
export interface ArchiveStreamSummary {
  readonly firstId: string;
  readonly lastId: string;
  readonly lastRevision: number;
}

export interface VerifiedArchive {
  readonly header: ArchiveHeader;
  readonly trailer: ArchiveTrailer;
  /** Streams in the order of their first event. */
  readonly streams: ReadonlyMap<string, ArchiveStreamSummary>;
  /** Compressed bytes read. */
  readonly bytes: number;
}

const NEWLINE = Buffer.from('\n');

/**
 * Reads a whole gzip'd archive and verifies it: gzip integrity, header, format version, the shape
 * of every event, revisions contiguous from 0 per stream, event count and SHA-256. The verified
 * event lines are spooled, uncompressed, to `spoolFile` for the import; memory holds one line at
 * a time. Anything wrong is an ARCHIVE_INVALID StoreError; a StoreError of the source (a size
 * limit, say) passes through as it is.
 */
export async function verifyArchive(
  input: AsyncIterable<Buffer | Uint8Array | string>,
  spoolFile: string,
  onProgress?: (bytes: number) => void,
): Promise<VerifiedArchive> {
  const fd = openSync(spoolFile, 'w', 0o600);
  const verifier = new ArchiveVerifier((bytes) => writeSync(fd, bytes));
  let bytes = 0;
  async function* counted() {
    for await (const chunk of input) {
      bytes += chunk.length;
      onProgress?.(bytes);
      yield chunk;
    }
  }
  try {
    await pipeline(counted, createGunzip(), async (decoded: AsyncIterable<Buffer>) => {
      for await (const chunk of decoded) verifier.push(chunk);
    });
  } catch (error) {
    if (error instanceof StoreError) throw error;
    if (bytes === 0) throw archiveInvalid('the archive is empty');
    const code = (error as { code?: unknown })?.code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw archiveInvalid(`it is not a complete gzip file (${(error as Error).message})`, { gzip: code });
    }
    throw error;
  } finally {
    closeSync(fd);
  }
  if (bytes === 0) throw archiveInvalid('the archive is empty');
  return { ...verifier.finish(), bytes };
}

/** The spooled events again, in order, batch by batch, read synchronously (the import is one transaction). */
export function* readSpool(spoolFile: string, batchSize = 1000): Generator<ArchivedEvent[]> {
  const fd = openSync(spoolFile, 'r');
  const buffer = Buffer.allocUnsafe(1024 * 1024);
  const splitter = new LineSplitter();
  let batch: ArchivedEvent[] = [];
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      for (const line of splitter.push(buffer.subarray(0, read))) {
        batch.push(JSON.parse(line.toString('utf8')) as ArchivedEvent);
        if (batch.length === batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    closeSync(fd);
  }
}

/** The line-by-line checks, fed with uncompressed bytes. */
class ArchiveVerifier {
  private readonly splitter = new LineSplitter();
  private readonly hash = createHash('sha256');
  private readonly streams = new Map<string, ArchiveStreamSummary>();
  private header?: ArchiveHeader;
  private namespaces = new Set<string>();
  private trailer?: ArchiveTrailer;
  private lineNumber = 0;
  private eventCount = 0;

  constructor(private readonly spool: (bytes: Buffer) => void) {}

  push(chunk: Buffer): void {
    const events: Buffer[] = [];
    for (const line of this.splitter.push(chunk)) {
      if (this.accept(line)) events.push(line, NEWLINE);
    }
    if (events.length > 0) this.spool(Buffer.concat(events));
  }

  finish(): Omit<VerifiedArchive, 'bytes'> {
    if (!this.header) throw archiveInvalid(this.splitter.remainder > 0 ? 'the header line is incomplete' : 'the archive holds no lines');
    if (this.splitter.remainder > 0) {
      throw archiveInvalid(this.trailer ? 'there is data after the trailer' : `it ends in the middle of line ${this.lineNumber + 1} (truncated)`);
    }
    if (!this.trailer) throw archiveInvalid('it ends without its trailer line (truncated)', { line: this.lineNumber });
    const empty = this.header.namespaces.filter((ns) => !this.streams.has(namespaceStream(ns)));
    if (empty.length > 0) throw archiveInvalid(`the header lists namespaces without events: ${empty.join(', ')}`, { namespaces: empty });
    return { header: this.header, trailer: this.trailer, streams: this.streams };
  }

  /** Checks one line; answers whether it is an event line. */
  private accept(line: Buffer): boolean {
    const n = ++this.lineNumber;
    if (this.trailer) throw archiveInvalid(`line ${n} follows the trailer`, { line: n });
    const value = parseJsonLine(line, n);
    if (!this.header) {
      this.header = checkHeader(value);
      this.namespaces = new Set(this.header.namespaces);
      this.hashLine(line);
      return false;
    }
    if (looksLikeTrailer(value)) {
      this.trailer = this.checkTotals(checkTrailer(value, n), n);
      return false;
    }
    this.checkOrder(checkEvent(value, n), n);
    this.eventCount += 1;
    this.hashLine(line);
    return true;
  }

  private checkOrder(event: ArchivedEvent, n: number): void {
    const namespace = namespaceOfStream(event.stream)!;
    if (!this.namespaces.has(namespace)) {
      throw archiveInvalid(`line ${n}: namespace ${namespace} is not listed in the header`, { line: n, namespace });
    }
    const seen = this.streams.get(event.stream);
    const due = seen ? seen.lastRevision + 1 : 0;
    if (event.revision !== due) {
      throw archiveInvalid(`line ${n}: ${event.stream} has revision ${event.revision} where ${due} is due`, { line: n, stream: event.stream });
    }
    if (due === 0 && event.type !== 'StoreNamespaceCreated') {
      throw archiveInvalid(`line ${n}: ${event.stream} does not begin with StoreNamespaceCreated`, { line: n, stream: event.stream });
    }
    this.streams.set(event.stream, { firstId: seen?.firstId ?? event.id, lastId: event.id, lastRevision: event.revision });
  }

  private checkTotals(trailer: ArchiveTrailer, n: number): ArchiveTrailer {
    if (trailer.eventCount !== this.eventCount) {
      throw archiveInvalid(`the trailer counts ${trailer.eventCount} events, the archive holds ${this.eventCount}`, {
        line: n, eventCount: trailer.eventCount, found: this.eventCount,
      });
    }
    if (trailer.sha256 !== this.hash.digest('hex')) {
      throw archiveInvalid('its SHA-256 does not match the trailer (the content was altered)', { line: n });
    }
    return trailer;
  }

  private hashLine(line: Buffer): void {
    this.hash.update(line);
    this.hash.update(NEWLINE);
  }
}
