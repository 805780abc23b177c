/**
 * Backup and restore throughput on a store of N events (default 120 000): through the store's
 * commands on a data dir (what `hexastore backup|restore --data-dir` runs) and over HTTP
 * (POST /v1/admin/backup and /v1/admin/restore on the in-process service).
 * Run: npm run bench:backup   (npm run bench:backup -- 500000 for a bigger store)
 */
import 'reflect-metadata';
import {
  BackupStore, CommitTransaction, createStoreContext, DEFAULT_LIMITS, EntryOp, RequestMeta, RestoreStore, SqliteStoreBackend,
} from '@app/store';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { loadConfig } from '../apps/store-service/src/config/config';
import { createHttpApp } from '../apps/store-service/src/http-app';

const EVENTS = Number(process.argv[2] ?? 120_000);
const NAMESPACES = 10;
const OPS = 100;
const meta: RequestMeta = { actor: 'bench', correlationId: 'bench', causationId: 'bench' };
const value = (i: number) => Buffer.from(JSON.stringify({ id: i, name: `item-${i}`, tags: ['a', 'b'], price: i % 997, note: 'x'.repeat(40) }));

const open = (dir: string) => createStoreContext({ openBackend: () => new SqliteStoreBackend(dir), limits: DEFAULT_LIMITS });
const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'hexastore-bench-'));
  dirs.push(dir);
  return dir;
};

async function seed(dir: string): Promise<number> {
  const store = await open(dir);
  const transactions = Math.ceil((EVENTS - NAMESPACES) / OPS);
  for (let t = 0; t < transactions; t += 64) {
    await Promise.all(Array.from({ length: Math.min(64, transactions - t) }, (_, j) => {
      const n = t + j;
      const ops: EntryOp[] = Array.from({ length: OPS }, (_, k) => ({ op: 'put', key: `key-${n}-${k}`, value: value(n * OPS + k) }));
      return store.commands.execute(new CommitTransaction(`ns-${n % NAMESPACES}`, ops, meta));
    }));
  }
  const head = Number((await store.backend.eventStore.headPosition())!.commit);
  await store.close();
  return head;
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const started = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const source = fresh();
  const seeded = await timed(() => seed(source));
  const events = seeded.result;
  const archive = join(fresh(), 'store.ndjson.gz');
  const rows: [string, number, number][] = [];

  const store = await open(source);
  const backup = await timed(async () => {
    const { stream } = await store.commands.execute(new BackupStore(meta));
    await pipeline(stream, createWriteStream(archive));
  });
  await store.close();
  rows.push(['backup, data dir (BackupStore)', events, backup.seconds]);

  const target = await open(fresh());
  const restore = await timed(() => target.commands.execute(new RestoreStore(createReadStream(archive), meta)));
  await target.close();
  rows.push(['restore, data dir (RestoreStore)', restore.result.events, restore.seconds]);

  const service = async (dir: string) => {
    const app = await createHttpApp(loadConfig({ LOG_LEVEL: 'silent', STORE_DATA_DIR: dir }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` };
  };
  const httpSource = await service(source);
  const httpArchive = join(fresh(), 'http.ndjson.gz');
  const httpBackup = await timed(async () => {
    const response = await fetch(`${httpSource.url}/v1/admin/backup`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    await pipeline(response.body as unknown as AsyncIterable<Uint8Array>, createWriteStream(httpArchive));
  });
  await httpSource.app.close();
  rows.push(['backup, HTTP POST /v1/admin/backup', events, httpBackup.seconds]);

  const httpTarget = await service(fresh());
  const httpRestore = await timed(async () => {
    const response = await fetch(`${httpTarget.url}/v1/admin/restore`, {
      method: 'POST', headers: { 'content-type': 'application/gzip' }, body: readFileSync(httpArchive),
    });
    if (!response.ok) throw new Error(`restore answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as { events: number };
  });
  await httpTarget.app.close();
  rows.push(['restore, HTTP POST /v1/admin/restore', httpRestore.result.events, httpRestore.seconds]);

  const cpu = cpus();
  console.log(`HexaStore backup/restore — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpu.length} x ${cpu[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB`);
  console.log(`store: ${events} events (${NAMESPACES} namespaces, ${OPS}-op transactions, ~${value(1).length} B values), seeded in ${seeded.seconds.toFixed(1)} s; archive ${(statSync(archive).size / 2 ** 20).toFixed(1)} MiB`);
  console.log('| operation | events | seconds | events/s |');
  console.log('|---|---:|---:|---:|');
  for (const [name, count, seconds] of rows) console.log(`| ${name} | ${count} | ${seconds.toFixed(2)} | ${Math.round(count / seconds)} |`);
  console.log(`peak RSS of the process (seeding included): ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
