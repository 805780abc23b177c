import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { PutEntry } from '../commands/entry.commands';
import { ListNamespaces } from '../queries/namespace.queries';
import { SqliteStoreBackend } from '../runtime/sqlite-store-backend';
import { StoreError } from '../shared/errors';
import { DEFAULT_LIMITS } from '../shared/limits';
import { RequestMeta } from '../shared/request-meta';
import { createStoreContext, StoreContext } from '../store.context';
import { FREE_SPACE_CHECK_BYTES, FreeSpace } from './archive-reader';
import { BackupStore, RestoreOptions, RestoreStore } from './backup.commands';

// Free space as the restore sees it is injected here (statfs of the data dir otherwise), so the
// checks before, while and after spooling can each be made to refuse.

const meta: RequestMeta = { actor: 'operator', correlationId: 'corr', causationId: 'req' };
const dirs: string[] = [];
const open = (): Promise<StoreContext> => {
  const dir = mkdtempSync(join(tmpdir(), 'hexastore-restore-'));
  dirs.push(dir);
  return createStoreContext({ openBackend: () => new SqliteStoreBackend(dir), limits: DEFAULT_LIMITS });
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

let archive: Buffer;
beforeAll(async () => {
  const source = await open();
  // 24 values of 512 KiB: about 16 MiB of event lines once uncompressed (values are base64 there).
  for (let i = 0; i < 24; i++) {
    await source.commands.execute(new PutEntry('big', { op: 'put', key: `k${i}`, value: Buffer.alloc(512 * 1024, i) }, meta));
  }
  const { stream } = await source.commands.execute(new BackupStore(meta));
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  archive = Buffer.concat(chunks);
  await source.close();
});

async function refusal(target: StoreContext, options: RestoreOptions): Promise<StoreError> {
  const error = await target.commands.execute(new RestoreStore(Readable.from([archive]), meta, options)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

const namespaces = async (store: StoreContext) => (await store.queries.execute(new ListNamespaces())).map((n) => n.name);

describe('restore and free space', () => {
  it('refuses with STORAGE_FULL while spooling once free space falls under minFreeBytes; nothing written', async () => {
    const target = await open();
    let looks = 0;
    const freeBytes: FreeSpace = () => (++looks === 1 ? 1024 ** 4 : 1024);
    const error = await refusal(target, { limits: { minFreeBytes: 64 * 1024 }, freeBytes });
    expect(error.code).toBe('STORAGE_FULL');
    expect(looks).toBe(2);
    expect(error.details).toMatchObject({ freeBytes: 1024, minFreeBytes: 64 * 1024 });
    expect(error.details.spooledBytes).toBeGreaterThanOrEqual(FREE_SPACE_CHECK_BYTES);
    expect(await namespaces(target)).toEqual([]);
    await target.close();
  });

  it('refuses with STORAGE_FULL before the import when what was spooled would not fit again; nothing written', async () => {
    const target = await open();
    const error = await refusal(target, { limits: { minFreeBytes: 0 }, freeBytes: () => 8 * 1024 * 1024 });
    expect(error.code).toBe('STORAGE_FULL');
    expect(error.details.spooledBytes).toBeGreaterThan(8 * 1024 * 1024);
    expect(await namespaces(target)).toEqual([]);
    const restored = await target.commands.execute(new RestoreStore(Readable.from([archive]), meta, { freeBytes: () => 1024 ** 4 }));
    expect(restored).toMatchObject({ restored: true, namespaces: ['big'], events: 25 });
    await target.close();
  });

  it('keeps the spool without a name in the data dir, so a killed restore leaves no file behind', async () => {
    const target = await open();
    const seen: string[][] = [];
    const dir = dirs[dirs.length - 1];
    await target.commands.execute(new RestoreStore(Readable.from([archive]), meta, {
      onVerifying: () => seen.push(readdirSync(dir).filter((name) => name.startsWith('.restore-'))),
    }));
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.flat()).toEqual([]);
    expect(await namespaces(target)).toEqual(['big']);
    await target.close();
  });
});
