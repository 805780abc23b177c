import { STORE_PROTO_FILE, STORE_PROTO_OPTIONS } from '@app/proto';
import { AccessAudit } from '@app/store';
import { GrpcObject, loadPackageDefinition, Server, ServerCredentials, ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { APP_CONFIG, AppConfig } from '../config/config';
import { FeedStreams } from '../http/feed-streams';
import { RpcCallers } from '../rpc/callers';
import { tolerantDeserializers } from './malformed-message';
import { StoreGrpcService } from './store.grpc-service';

/** How long a stopping service lets unary calls in flight finish before it cuts the rest. */
const SHUTDOWN_GRACE_MS = 5000;

/**
 * gRPC (`hexastore.v1.Store`) beside HTTP on HOST:GRPC_PORT, when GRPC_PORT is set. Served with
 * grpc-js itself rather than Nest's gRPC transport: Watch and Backup need the stream's own
 * backpressure (write, then wait for drain) and cancellation, a refusal needs its status and
 * trailing metadata exactly, and a request that does not decode must be INVALID_ARGUMENT (grpc-js
 * answers a throwing deserializer with INTERNAL) — none of which that transport's Observable
 * handlers expose. The calls still go through the app's CommandBus and QueryBus.
 */
@Injectable()
export class GrpcTransport implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private server?: Server;
  private service?: StoreGrpcService;
  private boundPort?: number;
  /** Bootstrap hooks run for the HTTP app and again for a microservice sharing its container: one start. */
  private starting?: Promise<void>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
    private readonly callers: RpcCallers,
    private readonly audit: AccessAudit,
  ) {}

  /** The port it listens on (GRPC_PORT=0 picks one), or undefined while off. */
  get port(): number | undefined {
    return this.boundPort;
  }

  onApplicationBootstrap(): Promise<void> {
    this.starting ??= this.start();
    return this.starting;
  }

  private async start(): Promise<void> {
    if (this.config.grpcPort === undefined) return;
    const { feed, limits, maxRequestBytes } = this.config;
    const definition = loadSync(STORE_PROTO_FILE, STORE_PROTO_OPTIONS);
    const store = ((loadPackageDefinition(definition).hexastore as GrpcObject).v1 as GrpcObject).Store as ServiceClientConstructor;
    this.service = new StoreGrpcService(this.commands, this.queries, this.callers, new FeedStreams(feed), this.audit);
    this.server = new Server({
      // A transaction's values plus room for the rest of the message; larger messages are refused
      // by the transport (RESOURCE_EXHAUSTED) before they are read.
      'grpc.max_receive_message_length': Math.max(maxRequestBytes, limits.maxTransactionBytes + 1024 * 1024),
      'grpc.max_metadata_size': 16 * 1024,
      // Connections with no call for this long are closed.
      'grpc.max_connection_idle_ms': this.config.http.idleTimeoutMs,
    });
    this.server.addService(tolerantDeserializers(store.service), this.service.implementation());
    const host = this.config.host.includes(':') && !this.config.host.startsWith('[') ? `[${this.config.host}]` : this.config.host;
    this.boundPort = await new Promise<number>((done, fail) => {
      this.server!.bindAsync(`${host}:${this.config.grpcPort}`, ServerCredentials.createInsecure(), (error, port) =>
        error ? fail(new Error(`cannot listen for gRPC on ${this.config.host}:${this.config.grpcPort}: ${error.message}`)) : done(port));
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.service?.closeStreams();
    await new Promise<void>((done) => {
      const cut = setTimeout(() => {
        server.forceShutdown();
        done();
      }, SHUTDOWN_GRACE_MS);
      server.tryShutdown(() => {
        clearTimeout(cut);
        done();
      });
    });
  }
}
