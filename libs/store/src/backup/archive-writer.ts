import { createHash } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { ArchivedEvent, ArchiveHeader, ArchiveTrailer } from './archive';

export interface ArchiveWriterHooks {
  /** Events written so far. */
  readonly onProgress?: (events: number) => void;
  /** Runs once every event is written, before the trailer; a failure leaves the archive without one. */
  readonly beforeTrailer?: (trailer: ArchiveTrailer) => Promise<void>;
}

/** The archive's uncompressed bytes: the header, a chunk per page of events, the trailer. */
export async function* archiveBytes(
  header: ArchiveHeader,
  pages: AsyncIterable<readonly ArchivedEvent[]>,
  hooks: ArchiveWriterHooks = {},
): AsyncGenerator<Buffer> {
  const hash = createHash('sha256');
  const hashed = (text: string) => {
    const bytes = Buffer.from(text, 'utf8');
    hash.update(bytes);
    return bytes;
  };
  yield hashed(`${JSON.stringify(headerLine(header))}\n`);
  let eventCount = 0;
  for await (const page of pages) {
    if (page.length === 0) continue;
    let text = '';
    for (const event of page) text += `${JSON.stringify(eventLine(event))}\n`;
    eventCount += page.length;
    yield hashed(text);
    hooks.onProgress?.(eventCount);
  }
  const trailer: ArchiveTrailer = { eventCount, sha256: hash.digest('hex') };
  await hooks.beforeTrailer?.(trailer);
  yield Buffer.from(`${JSON.stringify(trailer)}\n`, 'utf8');
}

/** Gzips the archive as it is read; a failure of the source fails the stream (the archive is then truncated). */
export function gzipped(bytes: AsyncIterable<Buffer>): Readable {
  return pipeline(Readable.from(bytes), createGzip(), () => undefined);
}

// Fixed field order, so archives of one log are byte for byte alike.
const headerLine = (h: ArchiveHeader): ArchiveHeader => ({
  format: h.format,
  formatVersion: h.formatVersion,
  createdAt: h.createdAt,
  sourceBackend: h.sourceBackend,
  headPosition: h.headPosition,
  incarnation: h.incarnation,
  namespaces: h.namespaces,
});

const eventLine = (e: ArchivedEvent): ArchivedEvent => ({
  stream: e.stream,
  revision: e.revision,
  id: e.id,
  type: e.type,
  data: e.data,
  metadata: e.metadata,
  timestamp: e.timestamp,
});
