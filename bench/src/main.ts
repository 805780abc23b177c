import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { encryptedVsPlain } from './encryption';
import { measureFeed } from './feed-latency';
import { GrpcMode, runGrpc } from './grpc-load';
import { installCleanup, stop, stopAll } from './processes';
import { Figures, ratios, round, Row, table, Target, targetsTable, writeResults, p99Ratio, rpsRatio } from './report';
import { backupAndRestore, offersRoute, peakRssMiB, prefillDataDir, rebuild, Timed } from './store-alone';
import { assertReadable, prefill, RunningSystem, startEtcd, startHexaStore } from './systems';
import { ensureWrk, LoadMode, runWrk, wrkVersion } from './wrk';

const USAGE = `npm run bench [-- --quick] [-- --seconds N] [-- --grpc-calls N] [-- --rebuild-events N] [-- --keep]
  --quick             3 s per run (10 s otherwise) and a shorter warm-up
  --seconds N         seconds per measured run
  --grpc-calls N      calls per gRPC run (default 20000, 5000 with --quick)
  --rebuild-events N  size of the log for rebuild and peak RSS (default 1000000)
  --keep              keep the temporary data directories and logs`;

const GET_KEYS = 10_000;
const BACKUP_EVENTS = 100_000;
const FEED_RATE = 500;

interface Scenario { id: string; label: string; mode: LoadMode; connections: number }

const SCENARIOS: Scenario[] = [
  { id: 'put_c1', label: 'put, c=1', mode: 'put', connections: 1 },
  { id: 'put_c16', label: 'put, c=16', mode: 'put', connections: 16 },
  { id: 'put_c64', label: 'put, c=64', mode: 'put', connections: 64 },
  { id: 'get_c1', label: 'get, c=1', mode: 'get', connections: 1 },
  { id: 'get_c16', label: 'get, c=16', mode: 'get', connections: 16 },
  { id: 'get_c64', label: 'get, c=64', mode: 'get', connections: 64 },
  { id: 'mix_c64', label: '90/10 get/put, c=64', mode: 'mix', connections: 64 },
];

/** Both systems over their native gRPC API (grpc-js, one HTTP/2 connection, 64 calls in flight). */
const GRPC_SCENARIOS: { id: string; label: string; mode: GrpcMode }[] = [
  { id: 'grpc_put_c64', label: 'gRPC put, c=64', mode: 'put' },
  { id: 'grpc_get_c64', label: 'gRPC get, c=64', mode: 'get' },
];
const GRPC_CONCURRENCY = 64;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      seconds: { type: 'string' },
      'grpc-calls': { type: 'string' },
      'rebuild-events': { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void console.log(USAGE);
  const seconds = wholeNumber(values.seconds, values.quick ? 3 : 10, 'seconds');
  const grpcCalls = wholeNumber(values['grpc-calls'], values.quick ? 5000 : 20_000, 'grpc-calls');
  const rebuildEvents = wholeNumber(values['rebuild-events'], 1_000_000, 'rebuild-events');
  const warmup = values.quick ? 1 : 3;
  installCleanup();
  const work = mkdtempSync(join(tmpdir(), 'hexastore-bench-'));
  console.log(`HexaStore vs etcd: ${seconds} s per run, data and logs in ${work}`);
  try {
    const wrk = await ensureWrk();
    const hexastore = await startHexaStore(join(work, 'hexastore-data'), work);
    const etcd = await startEtcd(join(work, 'etcd-data'), work);
    const rows: Row[] = [];
    for (const system of [hexastore, etcd]) {
      await prefill(system, 'g/', GET_KEYS);
      await assertReadable(system, `g/${GET_KEYS - 1}`);
      await runWrk(wrk, system, 'mix', 16, warmup, GET_KEYS);
    }
    for (const [i, s] of SCENARIOS.entries()) {
      const figures = await alternate(i, hexastore, etcd, async (system) => {
        const m = await runWrk(wrk, system, s.mode, s.connections, seconds, GET_KEYS);
        return { rps: m.rps, p50Ms: m.p50Ms, p99Ms: m.p99Ms, errors: m.errors };
      });
      rows.push({ id: s.id, label: s.label, ...figures });
      console.log(`${s.label}: HexaStore ${figures.hexastore.rps.toFixed(0)} req/s, etcd ${figures.etcd.rps.toFixed(0)} req/s`);
    }
    for (const [i, s] of GRPC_SCENARIOS.entries()) {
      const figures = await alternate(SCENARIOS.length + i, hexastore, etcd, (system) =>
        runGrpc(system, s.mode, GRPC_CONCURRENCY, grpcCalls, GET_KEYS, String(Date.now())));
      rows.push({ id: s.id, label: s.label, ...figures });
      console.log(`${s.label}: HexaStore ${figures.hexastore.rps.toFixed(0)} calls/s, etcd ${figures.etcd.rps.toFixed(0)} calls/s`);
    }
    const feed = await alternate(SCENARIOS.length + GRPC_SCENARIOS.length, hexastore, etcd, (system) => measureFeed(system, FEED_RATE, seconds));
    rows.push({ id: 'feed', label: `feed put→event, ${FEED_RATE} puts/s`, ...feed });
    console.log(`feed: HexaStore p99 ${feed.hexastore.p99Ms.toFixed(2)} ms, etcd watch p99 ${feed.etcd.p99Ms.toFixed(2)} ms`);
    const serviceVersions = { etcd: etcd.version, wrk: await wrkVersion(wrk) };
    await stop(hexastore.process);
    await stop(etcd.process);

    const sealed = await encryptedVsPlain(work, wrk, seconds, values.quick ? 1 : 2);
    console.log(`encrypted put, c=64: ${sealed.encrypted.rps.toFixed(0)} req/s, plain ${sealed.plain.rps.toFixed(0)} req/s (${sealed.ratio.toFixed(2)}×)`);

    const alone = await storeAlone(work, wrk, rebuildEvents, seconds);
    const results = {
      date: new Date().toISOString(),
      mode: values.quick ? 'quick' : 'full',
      command: values.quick ? 'npm run bench -- --quick' : 'npm run bench',
      secondsPerRun: seconds,
      generator: `wrk ${serviceVersions.wrk}, 1 thread, same Lua script for both systems; gRPC rows: grpc-js, ${grpcCalls} calls, ${GRPC_CONCURRENCY} in flight`,
      machine: {
        cores: cpus().length, cpu: cpus()[0]?.model, memoryGiB: round(totalmem() / 2 ** 30, 1),
        node: process.version, etcd: serviceVersions.etcd, kernel: release(),
      },
      ...ratios(rows),
      rows: Object.fromEntries(rows.map((r) => [r.id, { label: r.label, hexastore: roundFigures(r.hexastore), etcd: roundFigures(r.etcd), ratio: round(rpsRatio(r)), p99Ratio: round(p99Ratio(r)) }])),
      hexastoreOnly: { ...alone, encryptedPut: { ...sealed, plain: roundFigures(sealed.plain), encrypted: roundFigures(sealed.encrypted), ratio: round(sealed.ratio) } },
      targets: [...targets(rows, alone), {
        name: 'encrypted put, c=64, req/s', target: '≥ 0.8× a plain namespace',
        measured: `${sealed.ratio.toFixed(2)}× (${sealed.encrypted.rps.toFixed(0)} vs ${sealed.plain.rps.toFixed(0)} req/s)`, met: sealed.ratio >= 0.8,
      }],
    };
    console.log(`\n${table(rows)}\n`);
    console.log(`HexaStore alone: rebuild ${describe(alone.rebuild)}; backup ${describe(alone.backup)}; restore ${describe(alone.restore)}; peak RSS with ${alone.rss.keys} keys ${alone.rss.peakMiB.toFixed(0)} MiB\n`);
    console.log(targetsTable(results.targets));
    const date = results.date.slice(0, 10);
    const file = writeResults(resolve(__dirname, '../../../bench/results'), values.quick ? `${date}-quick` : date, results);
    console.log(`\nresults: ${file}`);
  } finally {
    await stopAll();
    if (!values.keep) rmSync(work, { recursive: true, force: true });
  }
}

/** Runs a measurement on both systems, in an order that flips from one scenario to the next. */
async function alternate<T>(index: number, hexastore: RunningSystem, etcd: RunningSystem, measure: (s: RunningSystem) => Promise<T>) {
  const order = index % 2 === 0 ? [hexastore, etcd] : [etcd, hexastore];
  const out = {} as Record<'hexastore' | 'etcd', T>;
  for (const system of order) out[system.name] = await measure(system);
  return out;
}

async function storeAlone(work: string, wrk: string, events: number, seconds: number) {
  const dataDir = join(work, 'rebuild-data');
  console.log(`HexaStore alone: writing ${events} events offline through the store's write path`);
  const written = await prefillDataDir(dataDir, events);
  const service = await startHexaStore(dataDir, work, 'hexastore-1m');
  const replay = await rebuild(service);
  const rebuildFigures = { events: replay.events, seconds: replay.millis / 1000, eventsPerSecond: replay.events / (replay.millis / 1000) };
  console.log(`rebuild: ${replay.events} events in ${replay.millis} ms`);
  const load = await runWrk(wrk, service, 'mix', 64, seconds, events);
  const rss = { keys: events, peakMiB: peakRssMiB(service.process.pid), underLoad: `90/10 get/put c=64 for ${seconds} s over the keys: ${load.rps.toFixed(0)} req/s` };
  const hasBackup = await offersRoute(service, '/v1/admin/backup');
  await stop(service.process);
  let backup: Timed = { unavailable: 'this build has no POST /v1/admin/backup' };
  let restore: Timed = { unavailable: 'this build has no POST /v1/admin/restore' };
  if (hasBackup) {
    const sourceDir = join(work, 'backup-data');
    await prefillDataDir(sourceDir, BACKUP_EVENTS);
    const source = await startHexaStore(sourceDir, work, 'hexastore-backup');
    // A restore goes into a store that has none of the archive's namespaces.
    const empty = await startHexaStore(join(work, 'restore-data'), work, 'hexastore-restore', { empty: true });
    ({ backup, restore } = await backupAndRestore(source, empty, BACKUP_EVENTS));
    await stop(source.process);
    await stop(empty.process);
  }
  return { prefill: { events: written.events, seconds: round(written.seconds, 1) }, rebuild: rebuildFigures, backup, restore, rss };
}

function targets(rows: Row[], alone: Awaited<ReturnType<typeof storeAlone>>): Target[] {
  const row = (id: string) => rows.find((r) => r.id === id)!;
  const put64 = row('put_c64');
  const put1 = row('put_c1');
  const put16 = row('put_c16');
  const get64 = row('get_c64');
  const feed = row('feed');
  const ms = (n: number) => `${n.toFixed(2)} ms`;
  const rate = (t: Timed, min: number): Target['met'] => ('unavailable' in t ? 'not measured' : t.eventsPerSecond >= min);
  return [
    { name: 'durable put, c=64, req/s', target: '≥ 2.0× etcd', measured: `${rpsRatio(put64).toFixed(2)}×`, met: rpsRatio(put64) >= 2 },
    { name: 'durable put, c=64, p99', target: "≤ etcd's", measured: `${ms(put64.hexastore.p99Ms)} vs ${ms(put64.etcd.p99Ms)}`, met: put64.hexastore.p99Ms <= put64.etcd.p99Ms },
    { name: 'durable put, c=16, req/s', target: '≥ 1.5× etcd', measured: `${rpsRatio(put16).toFixed(2)}×`, met: rpsRatio(put16) >= 1.5 },
    { name: 'get, c=64, req/s', target: '≥ 2.5× etcd', measured: `${rpsRatio(get64).toFixed(2)}×`, met: rpsRatio(get64) >= 2.5 },
    { name: 'put, c=1, p50', target: "≤ etcd's", measured: `${ms(put1.hexastore.p50Ms)} vs ${ms(put1.etcd.p50Ms)}`, met: put1.hexastore.p50Ms <= put1.etcd.p50Ms },
    { name: 'feed put→event p99', target: "≤ etcd watch's", measured: `${ms(feed.hexastore.p99Ms)} vs ${ms(feed.etcd.p99Ms)}`, met: feed.hexastore.p99Ms <= feed.etcd.p99Ms },
    { name: 'rebuild', target: '≥ 150k events/s', measured: describe(alone.rebuild), met: alone.rebuild.eventsPerSecond >= 150_000 },
    { name: 'backup', target: '≥ 50k events/s', measured: describe(alone.backup), met: rate(alone.backup, 50_000) },
    { name: 'restore', target: '≥ 100k events/s', measured: describe(alone.restore), met: rate(alone.restore, 100_000) },
    { name: `peak RSS with ${alone.rss.keys} keys`, target: '≤ 300 MiB', measured: `${alone.rss.peakMiB.toFixed(0)} MiB`, met: alone.rss.peakMiB <= 300 },
  ];
}

function describe(t: Timed): string {
  return 'unavailable' in t ? `not available (${t.unavailable})` : `${t.events} events in ${t.seconds.toFixed(1)} s = ${Math.round(t.eventsPerSecond)} events/s`;
}

const roundFigures = (f: Figures) => ({ rps: round(f.rps, 0), p50Ms: round(f.p50Ms, 2), p99Ms: round(f.p99Ms, 2), errors: f.errors });

function wholeNumber(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,9}$/.test(text) || Number(text) === 0) throw new Error(`--${name} is a whole number above 0 (got ${text})`);
  return Number(text);
}

main().catch(async (error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error)?.stack ?? String(error)}\n`);
  await stopAll();
  process.exit(1);
});
