import { STORE_PROTO_FILE, STORE_PROTO_OPTIONS } from '@app/proto';
import {
  Client, ClientReadableStream, credentials, GrpcObject, loadPackageDefinition, Metadata, ServiceClientConstructor, ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

const Store = ((loadPackageDefinition(loadSync(STORE_PROTO_FILE, STORE_PROTO_OPTIONS)).hexastore as GrpcObject).v1 as GrpcObject)
  .Store as ServiceClientConstructor;

type Unary = (request: object, metadata: Metadata, callback: (error: ServiceError | null, response: any) => void) => void;
type ServerStream = (request: object, metadata: Metadata) => ClientReadableStream<any>;

/** A `hexastore.v1.Store` client (grpc-js, as any caller would use it) on 127.0.0.1. */
export class GrpcStore {
  readonly client: Client & Record<string, Unary | ServerStream>;

  constructor(readonly port: number, private readonly token?: string) {
    this.client = new Store(`127.0.0.1:${port}`, credentials.createInsecure()) as GrpcStore['client'];
  }

  metadata(token = this.token): Metadata {
    const metadata = new Metadata();
    if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
    return metadata;
  }

  /** A unary call: the response, or the ServiceError it failed with. */
  call<T = any>(method: 'Put' | 'Get' | 'Delete' | 'List' | 'Txn', request: object, metadata = this.metadata()): Promise<T> {
    return new Promise((done, fail) => (this.client[method] as Unary)(request, metadata, (error, response) => (error ? fail(error) : done(response))));
  }

  stream(method: 'Watch' | 'Backup', request: object, metadata = this.metadata()): ClientReadableStream<any> {
    return (this.client[method] as ServerStream)(request, metadata);
  }

  /** Raw bytes as the request of a method: what a hostile or broken caller may send. */
  raw(method: string, bytes: Buffer, metadata = this.metadata()): Promise<Buffer> {
    return new Promise((done, fail) => this.client.makeUnaryRequest(`/hexastore.v1.Store/${method}`, (b: Buffer) => b, (b: Buffer) => b, bytes, metadata,
      (error, response) => (error ? fail(error) : done(response!))));
  }

  close(): void {
    this.client.close();
  }
}

/** The status and the problem a refused call carries in its trailers. */
export function refusal(error: unknown): { status: number; code: string; problem: Record<string, unknown> } {
  const { code, metadata } = error as ServiceError;
  if (metadata === undefined) throw error;
  const problem = metadata.get('hexastore-problem')[0];
  return { status: code, code: String(metadata.get('hexastore-problem-code')[0]), problem: problem ? JSON.parse(String(problem)) : {} };
}

/** The call's refusal; fails when it succeeded. */
export async function refused(call: Promise<unknown>): Promise<ReturnType<typeof refusal>> {
  try {
    await call;
  } catch (error) {
    return refusal(error);
  }
  throw new Error('the call succeeded');
}

/** The next `count` messages of a stream (bounded by the test's timeout), then it is cancelled. */
export function take<T = any>(stream: ClientReadableStream<T>, count: number): Promise<T[]> {
  const got: T[] = [];
  return new Promise((done, fail) => {
    stream.on('data', (message: T) => {
      if (got.length === count) return;
      got.push(message);
      if (got.length === count) {
        stream.cancel();
        done(got);
      }
    });
    stream.on('error', (error: ServiceError) => {
      if (got.length < count) fail(error);
    });
    stream.on('end', () => {
      if (got.length < count) fail(new Error(`the stream ended after ${got.length} of ${count} messages`));
    });
  });
}

/** Every message of a stream until it ends. */
export function all<T = any>(stream: ClientReadableStream<T>): Promise<T[]> {
  const got: T[] = [];
  return new Promise((done, fail) => {
    stream.on('data', (message: T) => got.push(message));
    stream.on('error', fail);
    stream.on('end', () => done(got));
  });
}
