import { createHash, randomUUID } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync, rmSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { StoreError } from '../shared/errors';
import { namespaceStream } from '../shared/store-events';
import {
  ArchivedEvent, ArchiveHeader, archiveInvalid, ArchiveTrailer, checkEvent, checkHeader, checkTrailer, LineSplitter,
  looksLikeTrailer, namespaceOfStream, parseJsonLine,
} from './archive';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** What a restore may take of the machine. */
export interface RestoreLimits {
  /** Uncompressed bytes an archive may hold (a small gzip can inflate a thousandfold). */
  readonly maxUncompressedBytes: number;
  /** Free bytes to leave on the file system of the spool and the data: a restore that would take them answers STORAGE_FULL. */
  readonly minFreeBytes: number;
}

export const DEFAULT_RESTORE_LIMITS: RestoreLimits = { maxUncompressedBytes: 8 * GiB, minFreeBytes: 64 * MiB };

/** Bytes this process may still write on the file system holding `dir`. */
export type FreeSpace = (dir: string) => number;

export const statfsFreeBytes: FreeSpace = (dir) => {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
};

/** How often (in spooled bytes) free space is looked at again while spooling. */
export const FREE_SPACE_CHECK_BYTES = 4 * MiB;

const SPOOL_NAME = /^\.restore-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.ndjson$/;

/**
 * Removes the spool files that restores killed before their spool had no name left behind
 * (`.restore-<uuid>.ndjson`), and nothing else. Answers the names removed.
 */
export function removeOrphanSpools(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const orphans = names.filter((name) => SPOOL_NAME.test(name));
  for (const name of orphans) rmSync(join(dir, name), { force: true });
  return orphans;
}

const storageFull = (message: string, details: Record<string, unknown>) =>
  new StoreError('STORAGE_FULL', `${message}; nothing was written`, details);

/**
 * The uncompressed event lines of an archive being verified, in a file of the data dir that has
 * no name: it is unlinked as soon as it is opened, so a process killed during a restore leaves
 * nothing behind (the system frees it with the process). Free space is checked when it is opened
 * and every FREE_SPACE_CHECK_BYTES as it grows.
 */
export class Spool {
  private written = 0;
  private nextCheck = 0;

  private constructor(
    private readonly fd: number,
    private readonly dir: string,
    private readonly minFreeBytes: number,
    private readonly freeBytes: FreeSpace,
  ) {}

  static open(dir: string, minFreeBytes: number, freeBytes: FreeSpace = statfsFreeBytes): Spool {
    const path = join(dir, `.restore-${randomUUID()}.ndjson`);
    const fd = openSync(path, 'w+', 0o600);
    try {
      unlinkSync(path);
    } catch {
      // already gone (removed as an orphan by another process starting): the open file is still ours
    }
    const spool = new Spool(fd, dir, minFreeBytes, freeBytes);
    try {
      spool.checkFree(0);
    } catch (error) {
      spool.close();
      throw error;
    }
    return spool;
  }

  /** Bytes spooled so far. */
  get bytes(): number {
    return this.written;
  }

  write(bytes: Buffer): void {
    try {
      for (let done = 0; done < bytes.length; ) done += writeSync(this.fd, bytes, done);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' || code === 'EDQUOT') throw storageFull('no space left for the restore spool', { spooledBytes: this.written });
      throw error;
    }
    this.written += bytes.length;
    if (this.written >= this.nextCheck) this.checkFree(0);
  }

  /** Refuses (STORAGE_FULL) when fewer than `minFreeBytes` + `more` bytes are free. */
  checkFree(more: number): void {
    this.nextCheck = this.written + FREE_SPACE_CHECK_BYTES;
    const free = this.freeBytes(this.dir);
    if (free - more < this.minFreeBytes) {
      const after = more > 0 ? ` after importing about ${more}` : '';
      throw storageFull(`the data dir has ${free} bytes free and a restore leaves at least ${this.minFreeBytes}${after}`, {
        freeBytes: free, minFreeBytes: this.minFreeBytes, spooledBytes: this.written,
      });
    }
  }

  /** The spooled events again, in order, batch by batch, read synchronously (the import is one transaction). */
  *events(batchSize = 1000): Generator<ArchivedEvent[]> {
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    const splitter = new LineSplitter();
    let batch: ArchivedEvent[] = [];
    let offset = 0;
    for (let read = readSync(this.fd, buffer, 0, buffer.length, offset); read > 0; read = readSync(this.fd, buffer, 0, buffer.length, offset)) {
      offset += read;
      for (const line of splitter.push(buffer.subarray(0, read))) {
        batch.push(JSON.parse(line.toString('utf8')) as ArchivedEvent);
        if (batch.length === batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length > 0) yield batch;
  }

  close(): void {
    closeSync(this.fd);
  }
}

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
 * event lines are written, uncompressed, to `spool` for the import; memory holds one line at a
 * time. Past `maxUncompressedBytes` of uncompressed data it stops at once (PAYLOAD_TOO_LARGE).
 * Anything wrong is an ARCHIVE_INVALID StoreError; a StoreError of the source (a size limit, say)
 * or of the spool (STORAGE_FULL) passes through as it is.
 */
export async function verifyArchive(
  input: AsyncIterable<Buffer | Uint8Array | string>,
  spool: Pick<Spool, 'write'>,
  onProgress?: (bytes: number) => void,
  maxUncompressedBytes = DEFAULT_RESTORE_LIMITS.maxUncompressedBytes,
): Promise<VerifiedArchive> {
  const verifier = new ArchiveVerifier((bytes) => spool.write(bytes));
  let bytes = 0;
  let inflated = 0;
  async function* counted() {
    for await (const chunk of input) {
      bytes += chunk.length;
      onProgress?.(bytes);
      yield chunk;
    }
  }
  try {
    await pipeline(counted, createGunzip(), async (decoded: AsyncIterable<Buffer>) => {
      for await (const chunk of decoded) {
        inflated += chunk.length;
        if (inflated > maxUncompressedBytes) {
          throw new StoreError('PAYLOAD_TOO_LARGE', `the archive holds more than ${maxUncompressedBytes} bytes uncompressed`, {
            maxUncompressedBytes,
          });
        }
        verifier.push(chunk);
      }
    });
  } catch (error) {
    if (error instanceof StoreError) throw error;
    if (bytes === 0) throw archiveInvalid('the archive is empty');
    const code = (error as { code?: unknown })?.code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw archiveInvalid(`it is not a complete gzip file (${(error as Error).message})`, { gzip: code });
    }
    throw error;
  }
  if (bytes === 0) throw archiveInvalid('the archive is empty');
  return { ...verifier.finish(), bytes };
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
