/**
 * Put → event latency through the client SDK: the built service as a child process (fresh data
 * dir, 127.0.0.1), one writer putting fresh keys at a steady rate with `StoreClient.put` (an
 * Idempotency-Key each, as every SDK write), one `StoreClient.watch` on the namespace timing when
 * each event arrives. Both in this process, as a service that writes and reacts would be.
 *
 *   npm run bench:feed -- [--events 2000] [--rate 500] [--warmup 200] [--writer sdk|http]
 *
 * `--writer http` puts through `node:http` instead (the watcher stays the SDK's), to tell the
 * SDK's own cost from the service's.
 */
import { StoreClient } from '@app/client';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { percentile } from './src/feed-latency';
import { callJson } from './src/http';
import { installCleanup, sleep, stop } from './src/processes';
import { NAMESPACE, startHexaStore, VALUE } from './src/systems';

const { values: args } = parseArgs({
  options: {
    events: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '500' },
    warmup: { type: 'string', default: '200' },
    writer: { type: 'string', default: 'sdk' },
  },
});
const EVENTS = Number(args.events);
const RATE = Number(args.rate);
const WARMUP = Number(args.warmup);
if (args.writer !== 'sdk' && args.writer !== 'http') throw new Error('--writer is sdk or http');
const WRITER = args.writer;

interface Sample {
  readonly sentAt: number;
  ackedAt?: number;
  seenAt?: number;
}

async function main(): Promise<void> {
  installCleanup();
  const work = mkdtempSync(join(tmpdir(), 'hexastore-bench-feed-'));
  const service = await startHexaStore(join(work, 'data'), work);
  const client = new StoreClient(`http://127.0.0.1:${service.port}`);
  const samples = new Map<string, Sample>();
  const watch = client.watch({ namespace: NAMESPACE, values: false });
  const watching = (async () => {
    for await (const event of watch) {
      const sample = event.key === undefined ? undefined : samples.get(event.key);
      if (sample) sample.seenAt = performance.now();
    }
  })();
  try {
    while (watch.connections === 0) await sleep(10);
    const total = WARMUP + EVENTS;
    const started = performance.now();
    const writes: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / RATE;
      while (performance.now() < due) await sleep(Math.max(0, Math.min(1, due - performance.now())));
      const key = `feed/${i}`;
      const sample: Sample = { sentAt: performance.now() };
      samples.set(key, sample);
      const put = WRITER === 'sdk'
        ? client.put(NAMESPACE, key, VALUE)
        : callJson(service.port, 'PUT', `/v1/namespaces/${NAMESPACE}/entries/${encodeURIComponent(key)}`, { value: VALUE });
      writes.push(put.then(() => void (sample.ackedAt = performance.now())));
    }
    await Promise.all(writes);
    const deadline = Date.now() + 10_000;
    while ([...samples.values()].some((s) => s.seenAt === undefined) && Date.now() < deadline) await sleep(10);
    const measured = [...samples.values()].slice(WARMUP);
    const missing = measured.filter((s) => s.seenAt === undefined).length;
    const seen = measured.filter((s): s is Required<Sample> => s.seenAt !== undefined);
    const figures = {
      events: measured.length,
      missing,
      ratePerSecond: RATE,
      writer: WRITER,
      putToEventMs: summary(seen.map((s) => s.seenAt - s.sentAt)),
      putToAckMs: summary(seen.map((s) => s.ackedAt - s.sentAt)),
      ackToEventMs: summary(seen.map((s) => s.seenAt - s.ackedAt)),
    };
    const machine = { cores: cpus().length, cpu: cpus()[0]?.model.trim(), memoryGiB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version };
    const at = new Date().toISOString();
    console.log(`put → event, writer ${WRITER}, watcher sdk: ${figures.events} events at ${RATE} puts/s (after ${WARMUP} warm-up), ${at}`);
    console.log(`  ${machine.cores} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}`);
    for (const [name, s] of [['put → event', figures.putToEventMs], ['put → ack', figures.putToAckMs], ['ack → event', figures.ackToEventMs]] as const) {
      console.log(`  ${name.padEnd(12)} p50 ${s.p50.toFixed(2)} ms   p99 ${s.p99.toFixed(2)} ms   max ${s.max.toFixed(2)} ms`);
    }
    if (missing > 0) console.log(`  ${missing} events did not arrive within 10 s`);
    const results = resolve(__dirname, '../../bench/results');
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, `${at.slice(0, 10)}-feed-${WRITER === 'sdk' ? 'sdk' : 'sdk-http-writer'}.json`), `${JSON.stringify({ at, machine, ...figures }, null, 2)}\n`);
    if (missing > 0) process.exitCode = 1;
  } finally {
    await watch.close();
    await watching;
    await stop(service.process);
    rmSync(work, { recursive: true, force: true });
  }
}

function summary(latencies: number[]): { p50: number; p99: number; max: number; mean: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    p50: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
    mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
