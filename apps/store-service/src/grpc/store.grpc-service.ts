import {
  AccessAudit, BackupStore, CommitTransaction, DeleteEntry, GetEntry, ListEntries, PutEntry, RequestMeta, WatchFeed,
} from '@app/store';
import type { Metadata, sendUnaryData, ServerUnaryCall, ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { once } from 'node:events';
import { FeedStreams } from '../http/feed-streams';
import { RpcCallers } from '../rpc/callers';
import { auditedCall } from '../rpc/audited-call';
import { toGrpcError } from './grpc-status';
import { MalformedMessage } from './malformed-message';
import {
  BackupRequest, DeleteRequest, GetRequest, given, ListRequest, PutRequest, toDeleteOp, toEntry, toEntryOps, toPutOp, toWatchEvent,
  TxnRequest, WatchRequest, watchTypes,
} from './store-messages';

const first = (metadata: Metadata, key: string): string | undefined => {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
};

/** The caller's address without its port (`ipv4:127.0.0.1:5000`, `ipv6:[::1]:5000`). */
const callerOf = (peer: string) => peer.replace(/:\d+$/, '');

/** `hexastore.v1.Store`: each call through the same command and query handlers as HTTP. */
export class StoreGrpcService {
  /** Ends the open streams: a service that stops does not wait for its watchers to leave. */
  private readonly streams = new Set<AbortController>();

  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly callers: RpcCallers,
    /** Watch streams count against the same kind of caps as the HTTP feed's, per caller address. */
    private readonly feedStreams: FeedStreams,
    private readonly audit: AccessAudit,
  ) {}

  closeStreams(): void {
    for (const stream of this.streams) stream.abort();
  }

  implementation(): UntypedServiceImplementation {
    return {
      Put: this.unary<PutRequest>('Put', async (request, meta) => {
        const result = await this.commands.execute(new PutEntry(request.namespace, toPutOp(request), meta));
        return { entry: toEntry(result), created: result.created, revision: result.revision, position: result.position };
      }),
      Get: this.unary<GetRequest>('Get', async (request, meta) => toEntry(
        await this.queries.execute(new GetEntry(request.namespace, request.key, given(request.minPosition), meta.caller)),
      )),
      Delete: this.unary<DeleteRequest>('Delete', (request, meta) =>
        this.commands.execute(new DeleteEntry(request.namespace, toDeleteOp(request), meta))),
      List: this.unary<ListRequest>('List', async (request, meta) => {
        const page = await this.queries.execute(new ListEntries(request.namespace, {
          prefix: given(request.prefix),
          limit: request.limit === 0 ? undefined : request.limit,
          cursor: given(request.cursor),
        }, given(request.minPosition), meta.caller));
        return { items: page.items.map(toEntry), nextCursor: page.nextCursor ?? '' };
      }),
      Txn: this.unary<TxnRequest>('Txn', (request, meta) => this.commands.execute(new CommitTransaction(request.namespace, toEntryOps(request), meta))),
      // The stream cap counts per user once authentication is on (one user on many addresses is one caller), else per address.
      Watch: this.stream<WatchRequest>('Watch', (request, meta, signal, write, address) =>
        this.watch(request, meta, signal, write, meta.caller ? `user:${meta.caller.user}` : address)),
      Backup: this.stream<BackupRequest>('Backup', (request, meta, signal, write) => this.backup(request, meta, signal, write)),
    };
  }

  private async watch(
    request: WatchRequest, meta: RequestMeta, signal: AbortSignal, write: (message: object) => Promise<void>, streamCaller: string,
  ): Promise<void> {
    const slot = this.feedStreams.admit(streamCaller);
    try {
      await this.follow(request, meta, signal, write);
    } finally {
      slot.release();
    }
  }

  private async follow(request: WatchRequest, meta: RequestMeta, signal: AbortSignal, write: (message: object) => Promise<void>): Promise<void> {
    const after = given(request.after);
    const { events } = await this.queries.execute(new WatchFeed(after !== undefined ? { after } : { from: request.fromStart ? 'start' : 'now' }, {
      namespace: given(request.namespace),
      keyPrefix: given(request.prefix),
      types: watchTypes(request.types),
      withoutValues: request.withoutValues,
    }, signal, meta.caller));
    for await (const event of events) {
      if (signal.aborted) break;
      await write(toWatchEvent(event));
    }
  }

  private async backup(request: BackupRequest, meta: RequestMeta, signal: AbortSignal, write: (message: object) => Promise<void>): Promise<void> {
    const namespaces = request.namespaces.length === 0 ? undefined : request.namespaces;
    const { stream } = await this.commands.execute(new BackupStore(meta, { namespaces }));
    const stop = () => stream.destroy();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const chunk of stream) await write({ data: chunk as Buffer });
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }

  private meta(metadata: Metadata): Promise<RequestMeta> {
    return this.callers.meta({
      authorization: first(metadata, 'authorization'),
      correlationId: first(metadata, 'x-correlation-id'),
      idempotencyKey: first(metadata, 'idempotency-key'),
    });
  }

  private unary<Request>(method: string, handle: (request: Request, meta: RequestMeta) => Promise<unknown>) {
    return (call: ServerUnaryCall<Request | MalformedMessage, unknown>, callback: sendUnaryData<unknown>) => {
      const audited = this.audited(method, call.request);
      const answer = async () => {
        const meta = await this.meta(call.metadata);
        audited.actor = meta.actor;
        return handle(MalformedMessage.refuse(call.request), meta);
      };
      answer().then((response) => {
        audited.done();
        callback(null, response);
      }, (error: unknown) => {
        audited.done(error);
        callback(toGrpcError(error));
      });
    };
  }

  private audited(method: string, request: unknown) {
    return auditedCall(this.audit, `gRPC hexastore.v1.Store/${method}`, request);
  }

  /**
   * A server stream: messages go at the caller's pace (a write the transport cannot take yet waits
   * for it to drain); the caller cancelling, or the service stopping, ends it.
   */
  private stream<Request>(
    method: string,
    handle: (request: Request, meta: RequestMeta, signal: AbortSignal, write: (message: object) => Promise<void>, caller: string) => Promise<void>,
  ) {
    return (call: ServerWritableStream<Request | MalformedMessage, unknown>) => {
      const controller = new AbortController();
      this.streams.add(controller);
      call.on('cancelled', () => controller.abort());
      const write = async (message: object) => {
        if (!call.write(message) && !controller.signal.aborted) await once(call, 'drain', { signal: controller.signal });
      };
      const audited = this.audited(method, call.request);
      const run = async () => {
        const meta = await this.meta(call.metadata);
        audited.actor = meta.actor;
        await handle(MalformedMessage.refuse(call.request), meta, controller.signal, write, callerOf(call.getPeer()));
      };
      run().then(
        () => {
          audited.done();
          call.end();
        },
        (error: unknown) => {
          const ended = controller.signal.aborted;
          audited.done(ended ? undefined : error, !(ended && call.cancelled));
          if (ended && call.cancelled) return;
          if (ended) return void call.end();
          call.emit('error', toGrpcError(error));
        },
      ).finally(() => {
        controller.abort();
        this.streams.delete(controller);
      });
    };
  }
}
