import { join, resolve } from 'node:path';
import { b64, call, callJson, inParallel } from './http';
import { ensureDebianPackage, freePort, run, start, Started, waitReady } from './processes';

export type SystemName = 'hexastore' | 'etcd';

export interface RunningSystem {
  readonly name: SystemName;
  readonly port: number;
  /** Where it answers gRPC (etcd: on its client port). */
  readonly grpcPort: number;
  readonly process: Started;
  readonly version: string;
}

/** The namespace every HexaStore scenario writes to. */
export const NAMESPACE = 'bench';
/** Values are 100 bytes on both sides. */
export const VALUE = 'v'.repeat(100);
const BATCH = 128;

const MAIN = resolve(__dirname, '../../apps/store-service/src/main.js');

/** The built service as a child process on a free port of 127.0.0.1. */
export async function startHexaStore(
  dataDir: string, logDir: string, label = 'hexastore', { empty = false, masterKeyFile }: { empty?: boolean; masterKeyFile?: string } = {},
): Promise<RunningSystem> {
  const [port, grpcPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env, STORE_DATA_DIR: dataDir, PORT: String(port), GRPC_PORT: String(grpcPort), HOST: '127.0.0.1', LOG_LEVEL: 'warn',
    ...(masterKeyFile !== undefined && { STORE_MASTER_KEY_FILE: masterKeyFile }),
  };
  const p = start(label, process.execPath, [...nodeFlags(), MAIN], { env, logFile: join(logDir, `${label}.log`) });
  await waitReady(p, async () => (await call(port, 'GET', '/health/ready')).status === 200, 120_000);
  if (!empty) {
    const { status } = await callJson(port, 'PUT', `/v1/namespaces/${NAMESPACE}`);
    if (status !== 200 && status !== 201) throw new Error(`creating namespace ${NAMESPACE} answered ${status}`);
  }
  return { name: 'hexastore', port, grpcPort, process: p, version: 'this checkout' };
}

/** HEXASTORE_NODE_FLAGS (e.g. --cpu-prof) is passed to the service, for profiling under the bench's load. */
function nodeFlags(): string[] {
  return (process.env.HEXASTORE_NODE_FLAGS ?? '').split(' ').filter(Boolean);
}

export async function etcdVersion(binary: string): Promise<string> {
  const { stdout } = await run('etcd --version', binary, ['--version'], { timeoutMs: 10_000 });
  return /etcd Version: (\S+)/.exec(stdout)?.[1] ?? 'unknown';
}

/** etcd from Debian's etcd-server, single member on 127.0.0.1, default durability (fsync per commit). */
export async function startEtcd(dataDir: string, logDir: string): Promise<RunningSystem> {
  const binary = await ensureDebianPackage('etcd', 'etcd-server');
  const [port, peer] = [await freePort(), await freePort()];
  const client = `http://127.0.0.1:${port}`;
  const peerUrl = `http://127.0.0.1:${peer}`;
  const args = [
    '--name', 'bench', '--data-dir', dataDir,
    '--listen-client-urls', client, '--advertise-client-urls', client,
    '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `bench=${peerUrl}`, '--logger', 'zap', '--log-level', 'warn',
  ];
  const p = start('etcd', binary, args, { logFile: join(logDir, 'etcd.log') });
  await waitReady(p, async () => (await call(port, 'GET', '/health')).status === 200, 60_000);
  return { name: 'etcd', port, grpcPort: port, process: p, version: await etcdVersion(binary) };
}

/** Writes keys `<prefix><i>` for i < count, in transactions of 128 puts, on either system. */
export async function prefill(system: RunningSystem, prefix: string, count: number): Promise<void> {
  const batches = Math.ceil(count / BATCH);
  await inParallel(batches, 8, async (b) => {
    const keys = Array.from({ length: Math.min(BATCH, count - b * BATCH) }, (_, i) => `${prefix}${b * BATCH + i}`);
    const { status } = system.name === 'hexastore'
      ? await callJson(system.port, 'POST', `/v1/namespaces/${NAMESPACE}/transactions`, { ops: keys.map((key) => ({ op: 'put', key, value: VALUE })) })
      : await callJson(system.port, 'POST', '/v3/kv/txn', { success: keys.map((key) => ({ request_put: { key: b64(key), value: b64(VALUE) } })) });
    if (status !== 200) throw new Error(`prefill of ${system.name} answered ${status}`);
  });
}

/** Reads one prefilled key back, so a get scenario never measures misses. */
export async function assertReadable(system: RunningSystem, key: string): Promise<void> {
  const found = system.name === 'hexastore'
    ? (await callJson<{ value?: string }>(system.port, 'GET', `/v1/namespaces/${NAMESPACE}/entries/${key}`)).json?.value === VALUE
    : (await callJson<{ kvs?: unknown[] }>(system.port, 'POST', '/v3/kv/range', { key: b64(key) })).json?.kvs?.length === 1;
  if (!found) throw new Error(`${system.name}: prefilled key ${key} is not readable`);
}

/** One durable put, as the load generator sends it. */
export function put(system: RunningSystem, namespace: string, key: string): Promise<{ status: number }> {
  return system.name === 'hexastore'
    ? callJson(system.port, 'PUT', `/v1/namespaces/${namespace}/entries/${key}`, { value: VALUE })
    : callJson(system.port, 'POST', '/v3/kv/put', { key: b64(key), value: b64(VALUE) });
}
