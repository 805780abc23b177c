// Soak run (not part of `npm test`): the built service under mixed load with change-feed
// subscribers for SOAK_MINUTES (default 10), on 127.0.0.1 only. Every SOAK_SAMPLE_SECONDS (default
// 10) it samples the service's RSS and open file descriptors (/proc/<pid>/status and /proc/<pid>/fd)
// and its event-loop delay (prom-client's nodejs_eventloop_lag_p99_seconds / _max_seconds from /metrics),
// prints each sample and writes them all to bench/results/<date>-soak.json.
import { StoreClient } from '@app/client';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 10);
const SAMPLE_MS = Number(process.env.SOAK_SAMPLE_SECONDS ?? 10) * 1000;
const WRITERS = 8;
const READERS = 4;
const SUBSCRIBERS = 8;
const KEYS = 200;
const MAIN = resolve(__dirname, '../apps/store-service/src/main.js');

interface Sample {
  seconds: number;
  rssMiB: number;
  openFds: number;
  loopLagP99Ms?: number;
  loopLagMaxMs?: number;
  ops: number;
  errors: number;
  feedEvents: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hexastore-soak-'));
  const port = 20000 + Math.floor(Math.random() * 12000);
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, STORE_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', FEED_MAX_STREAMS_PER_CALLER: '64' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const pid = child.pid!;
  const cleanup = () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  try {
    for (let i = 0; ; i++) {
      if (i > 200) throw new Error('the service did not become ready in 20 s');
      if (await fetch(`${url}/health/ready`).then((r) => r.ok, () => false)) break;
      await sleep(100);
    }
    const store = new StoreClient({ url, retry: { attempts: 3 } });
    for (let i = 0; i < 4; i++) await store.createNamespace(`soak-${i}`);
    const deadline = Date.now() + MINUTES * 60_000;
    let ops = 0;
    let errors = 0;
    let feedEvents = 0;
    const running = () => Date.now() < deadline;
    const ns = (i: number) => `soak-${i % 4}`;

    const writer = async (id: number) => {
      for (let i = 0; running(); i++) {
        const key = `k${(id * 7919 + i) % KEYS}`;
        try {
          if (i % 10 === 9) await store.transaction(ns(i), [{ op: 'put', key, value: `t${i}` }, { op: 'put', key: `${key}-b`, value: `t${i}` }]);
          else if (i % 13 === 12) await store.delete(ns(i), key).catch(() => undefined);
          else await store.put(ns(i), key, `w${id}-${i}`.padEnd(200, '.'));
          ops++;
        } catch {
          errors++;
        }
      }
    };
    const reader = async (id: number) => {
      for (let i = 0; running(); i++) {
        try {
          if (i % 20 === 0) for await (const _ of store.list(ns(i), { limit: 100 })) break;
          else await store.get(ns(i), `k${(id + i) % KEYS}`).catch(() => undefined);
          ops++;
        } catch {
          errors++;
        }
      }
    };
    const subscriber = async (id: number) => {
      // Each subscriber closes and resumes its watch now and then, so streams come and go.
      let after: string | undefined;
      while (running()) {
        const watch = store.watch(after === undefined ? { namespace: ns(id), from: 'start' } : { namespace: ns(id), after });
        const until = Date.now() + 30_000;
        // A watch waits for its next event: closed at the end of the run, when no more come.
        const stopper = setTimeout(() => void watch.close(), Math.max(0, deadline - Date.now()));
        for await (const event of watch) {
          feedEvents++;
          after = event.position;
          if (Date.now() > until || !running()) break;
        }
        clearTimeout(stopper);
        await watch.close();
      }
    };

    const samples: Sample[] = [];
    const started = Date.now();
    const sampler = (async () => {
      while (running()) {
        await sleep(SAMPLE_MS);
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        const metrics = await (await fetch(`${url}/metrics`)).text().catch(() => '');
        const metric = (name: string) => {
          const m = new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(metrics);
          return m ? Number(m[1]) * 1000 : undefined;
        };
        const sample: Sample = {
          seconds: Math.round((Date.now() - started) / 1000),
          rssMiB: Math.round(rssKiB / 102.4) / 10,
          openFds: readdirSync(`/proc/${pid}/fd`).length,
          loopLagP99Ms: metric('nodejs_eventloop_lag_p99_seconds'),
          loopLagMaxMs: metric('nodejs_eventloop_lag_max_seconds'),
          ops, errors, feedEvents,
        };
        samples.push(sample);
        console.log(JSON.stringify(sample));
      }
    })();
    await Promise.all([
      ...Array.from({ length: WRITERS }, (_, i) => writer(i)),
      ...Array.from({ length: READERS }, (_, i) => reader(i)),
      ...Array.from({ length: SUBSCRIBERS }, (_, i) => subscriber(i)),
      sampler,
    ]);
    const dir = resolve(__dirname, '../../bench/results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${new Date().toISOString().slice(0, 10)}-soak.json`);
    writeFileSync(file, `${JSON.stringify({ minutes: MINUTES, writers: WRITERS, readers: READERS, subscribers: SUBSCRIBERS, samples }, null, 2)}\n`);
    console.log(`written ${file}`);
  } finally {
    cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
