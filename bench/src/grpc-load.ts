import { STORE_PROTO_FILE, STORE_PROTO_OPTIONS } from '@app/proto';
import { Client, credentials, GrpcObject, loadPackageDefinition, ServiceClientConstructor, ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { resolve } from 'node:path';
import { Figures } from './report';
import { NAMESPACE, RunningSystem, VALUE } from './systems';

export type GrpcMode = 'put' | 'get';

const ETCD_PROTO_FILE = resolve(__dirname, '../../../bench/src/etcd-kv.proto');

function service(file: string, path: string[]): ServiceClientConstructor {
  let node: unknown = loadPackageDefinition(loadSync(file, STORE_PROTO_OPTIONS));
  for (const name of path) node = (node as GrpcObject)[name];
  return node as ServiceClientConstructor;
}

type Unary = (request: object, callback: (error: ServiceError | null) => void) => void;

/** One connection's client of either system, over its native gRPC API. */
function clientOf(system: RunningSystem): { client: Client; put: (key: string) => [string, object]; get: (key: string) => [string, object] } {
  const value = Buffer.from(VALUE);
  if (system.name === 'hexastore') {
    const Store = service(STORE_PROTO_FILE, ['hexastore', 'v1', 'Store']);
    return {
      client: new Store(`127.0.0.1:${system.grpcPort}`, credentials.createInsecure()),
      put: (key) => ['Put', { namespace: NAMESPACE, key, value }],
      get: (key) => ['Get', { namespace: NAMESPACE, key }],
    };
  }
  const KV = service(ETCD_PROTO_FILE, ['etcdserverpb', 'KV']);
  return {
    client: new KV(`127.0.0.1:${system.port}`, credentials.createInsecure()),
    put: (key) => ['Put', { key: Buffer.from(key), value }],
    get: (key) => ['Range', { key: Buffer.from(key) }],
  };
}

/**
 * `count` calls over one gRPC connection (HTTP/2 multiplexes them), `concurrency` in flight at a
 * time: puts of new keys p/grpc/<tag>/<n>, or gets of prefilled keys g/<i>, i < keyspace.
 */
export async function runGrpc(system: RunningSystem, mode: GrpcMode, concurrency: number, count: number, keyspace: number, tag: string): Promise<Figures> {
  const { client, put, get } = clientOf(system);
  const latencies = new Float64Array(count);
  let next = 0;
  let errors = 0;
  const call = (method: string, request: object) => new Promise<boolean>((done) =>
    ((client as unknown as Record<string, Unary>)[method]).call(client, request, (error) => done(error === null)));
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const [method, request] = mode === 'put' ? put(`p/grpc/${tag}/${i}`) : get(`g/${(i * 7919) % keyspace}`);
      const started = performance.now();
      if (!(await call(method, request))) errors++;
      latencies[i] = performance.now() - started;
    }
  };
  try {
    // One call first: the connection is up before the clock starts.
    await call(...get(`g/0`));
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    const sorted = latencies.sort();
    const at = (q: number) => sorted[Math.min(count - 1, Math.floor(q * count))];
    return { rps: count / seconds, p50Ms: at(0.5), p99Ms: at(0.99), errors };
  } finally {
    client.close();
  }
}
