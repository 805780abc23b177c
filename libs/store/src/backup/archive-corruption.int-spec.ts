import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PutEntry } from '../commands/entry.commands';
import { ListEntries } from '../queries/entry.queries';
import { ListNamespaces } from '../queries/namespace.queries';
import { SqliteStoreBackend } from '../runtime/sqlite-store-backend';
import { StoreError } from '../shared/errors';
import { DEFAULT_LIMITS } from '../shared/limits';
import { RequestMeta } from '../shared/request-meta';
import { createStoreContext, StoreContext } from '../store.context';
import { BackupStore, RestoreStore } from './backup.commands';

const meta: RequestMeta = { actor: 'operator', correlationId: 'c', causationId: 'r' };
const put = (ns: string, key: string, value: string) => new PutEntry(ns, { op: 'put', key, value: Buffer.from(value) }, meta);

/** A small deterministic generator, so every run flips the same bytes. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const flip = (bytes: Buffer, offset: number) => {
  const copy = Buffer.from(bytes);
  copy[offset] ^= 0xff;
  return copy;
};

/** A well-formed archive of any lines: the trailer counts them and hashes them. */
function craft(lines: readonly unknown[], trailer: { eventCount?: number } = {}): Buffer {
  const content = lines.map((l) => `${typeof l === 'string' ? l : JSON.stringify(l)}\n`).join('');
  const sha256 = createHash('sha256').update(content).digest('hex');
  return gzipSync(`${content}${JSON.stringify({ eventCount: trailer.eventCount ?? lines.length - 1, sha256 })}\n`);
}

describe('restore refuses every damaged or foreign archive with ARCHIVE_INVALID, leaving the store untouched', () => {
  let dir: string;
  let source: StoreContext;
  let target: StoreContext;
  let archive: Buffer;
  let content: Buffer;
  let lines: Record<string, unknown>[];
  let untouched: unknown;

  const snapshot = async () => ({
    log: await target.backend.eventStore.readAll({ after: 'start', maxCount: 1000 }),
    namespaces: await target.queries.execute(new ListNamespaces()),
    entries: await target.queries.execute(new ListEntries('other')),
    incarnation: target.backend.eventStore.incarnation,
    files: readdirSync(dir).sort(),
  });

  const refusal = (bytes: Buffer) =>
    target.commands.execute(new RestoreStore(Readable.from(bytes.length === 0 ? [] : [bytes]), meta)).then(
      (result) => ({ accepted: result }),
      (error: unknown) => (error instanceof StoreError ? { code: error.code, message: error.message } : { thrown: String(error) }),
    );

  beforeAll(async () => {
    const sourceDir = mkdtempSync(join(tmpdir(), 'hexastore-corrupt-src-'));
    dir = mkdtempSync(join(tmpdir(), 'hexastore-corrupt-'));
    const options = { limits: DEFAULT_LIMITS };
    source = await createStoreContext({ ...options, openBackend: () => new SqliteStoreBackend(sourceDir) });
    target = await createStoreContext({ ...options, openBackend: () => new SqliteStoreBackend(dir) });
    await source.commands.execute(put('app', 'k', 'v'));
    await source.commands.execute(put('app', 'k', 'w'));
    const { stream } = await source.commands.execute(new BackupStore(meta));
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    archive = Buffer.concat(chunks);
    content = gunzipSync(archive);
    lines = content.toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    await target.commands.execute(put('other', 'kept', 'as it was'));
    untouched = await snapshot();
    rmSync(sourceDir, { recursive: true, force: true });
  });
  afterAll(async () => {
    expect(await snapshot()).toEqual(untouched);
    await source.close();
    await target.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(async () => expect(await snapshot()).toEqual(untouched));

  it('the archive itself is valid (so each case below fails for its damage alone)', () => {
    expect(lines).toHaveLength(5);
    expect(archive.length).toBeGreaterThan(200);
  });

  it('every truncation length', async () => {
    for (let length = 0; length < archive.length; length++) {
      expect({ length, ...(await refusal(archive.subarray(0, length))) }).toMatchObject({ length, code: 'ARCHIVE_INVALID' });
    }
  });

  it('a flipped byte at random offsets of the gzip file', async () => {
    // Bytes 4-9 of a gzip header (mtime, flags, OS) are outside every checksum and the content.
    const next = random(7);
    for (let i = 0; i < 80; i++) {
      const offset = i < 4 ? i : 10 + Math.floor(next() * (archive.length - 10));
      expect({ offset, ...(await refusal(flip(archive, offset))) }).toMatchObject({ offset, code: 'ARCHIVE_INVALID' });
    }
  });

  it('a flipped byte at random offsets of the content, gzipped again', async () => {
    const next = random(11);
    for (let i = 0; i < 200; i++) {
      const offset = Math.floor(next() * content.length);
      expect({ offset, ...(await refusal(gzipSync(flip(content, offset)))) }).toMatchObject({ offset, code: 'ARCHIVE_INVALID' });
    }
  });

  const [header, created, entry] = [0, 1, 2].map((i) => () => lines[i]);
  const cases: [string, () => Buffer, string][] = [
    ['an empty file', () => Buffer.alloc(0), 'the archive is empty'],
    ['a valid gzip of garbage', () => gzipSync(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 251))), 'line 1 is not JSON'],
    ['a gzip of nothing', () => gzipSync(Buffer.alloc(0)), 'the archive holds no lines'],
    ['the content, not gzipped', () => content, 'it is not a complete gzip file (incorrect header check)'],
    ['a foreign NDJSON file', () => gzipSync('{"level":30,"msg":"hello"}\n{"level":30,"msg":"bye"}\n'), 'the first line is not a hexastore-backup header'],
    ['a wrong format version', () => craft([{ ...header(), formatVersion: 2 }, created(), entry()]),
      'format version 2 is not supported (this store reads version 1)'],
    ['a header with a field missing', () => craft([{ ...header(), namespaces: undefined }, created(), entry()]),
      'header: it has the fields createdAt, format, formatVersion, headPosition, incarnation, sourceBackend, not createdAt, format, formatVersion, headPosition, incarnation, namespaces, sourceBackend'],
    ['a gap in revisions', () => craft([header(), created(), { ...entry(), revision: 3 }]), 'line 3: store-app has revision 3 where 1 is due'],
    ['a stream not starting at revision 0', () => craft([header(), { ...entry(), revision: 1 }]), 'line 2: store-app has revision 1 where 0 is due'],
    ['a stream not starting with its namespace', () => craft([header(), { ...entry(), revision: 0 }]),
      'line 2: store-app does not begin with StoreNamespaceCreated'],
    ['an event of a namespace the header does not list', () => craft([{ ...header(), namespaces: ['other2'] }, created()]),
      'line 2: namespace app is not listed in the header'],
    ['a listed namespace without events', () => craft([{ ...header(), namespaces: ['app', 'ghost'] }, created()]),
      'the header lists namespaces without events: ghost'],
    ['an event with an extra field', () => craft([header(), { ...created(), extra: 1 }]),
      'line 2 is not an event (fields data, id, metadata, revision, stream, timestamp, type)'],
    ['an event of a stream outside the store', () => craft([header(), { ...created(), stream: 'orders-1' }]), 'line 2: stream is not a namespace stream'],
    ['an event with a foreign type', () => craft([header(), { ...created(), type: 'OrderPlaced' }]), 'line 2: type is not a store event type'],
    ['an event without a time', () => craft([header(), { ...created(), timestamp: 'yesterday' }]), 'line 2: timestamp is not an ISO-8601 time'],
    ['a trailer counting other events', () => craft([header(), created(), entry()], { eventCount: 3 }),
      'the trailer counts 3 events, the archive holds 2'],
    ['a trailer with a wrong hash', () => gzipSync(content.toString('utf8').replace(/"sha256":"[0-9a-f]{64}"/, `"sha256":"${'0'.repeat(64)}"`)),
      'its SHA-256 does not match the trailer (the content was altered)'],
    ['no trailer', () => gzipSync(content.toString('utf8').split('\n').slice(0, 3).join('\n') + '\n'), 'it ends without its trailer line (truncated)'],
    ['a last line cut short', () => gzipSync(content.subarray(0, content.length - 10)), 'it ends in the middle of line 5 (truncated)'],
    ['a line after the trailer', () => gzipSync(Buffer.concat([content, Buffer.from('{}\n')])), 'line 6 follows the trailer'],
    ['a second gzip member of garbage', () => Buffer.concat([archive, gzipSync('junk\n')]), 'line 6 follows the trailer'],
    ['one event id twice', () => craft([
      { ...header(), namespaces: ['app', 'app2'] }, { ...created(), id: 'dup' }, { ...created(), id: 'dup', stream: 'store-app2', data: { namespace: 'app2' } },
    ]), 'event id dup appears twice'],
  ];

  it.each(cases)('%s', async (_, build, problem) => {
    expect(await refusal(build())).toEqual({ code: 'ARCHIVE_INVALID', message: `the archive is not valid: ${problem}` });
  });
});
