import { crashAt, EsdbStoreBackend, openKeyVault, SqliteStoreBackend, StoreBackend, StoreModule } from '@app/store';
import { resolve } from 'node:path';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import type { Options } from 'pino-http';
import { APP_CONFIG, AppConfig } from './config/config';
import { ConfigReloader } from './config/config-reloader';
import { HealthController } from './health/health.controller';
import { Metrics } from './metrics/metrics';
import { MetricsController } from './metrics/metrics.controller';
import { AdminController } from './http/admin.controller';
import { EntriesController } from './http/entries.controller';
import { LocksController, NamespaceLockController } from './http/locks.controller';
import { FeedController } from './http/feed.controller';
import { IdentityController } from './http/identity.controller';
import { ConsumersController } from './http/consumers.controller';
import { NamespacesController } from './http/namespaces.controller';
import { ProblemFilter } from './http/problem.filter';
import { RollbackController } from './http/rollback.controller';
import { SnapshotsController } from './http/snapshots.controller';
import { GovernanceController } from './http/governance.controller';
import { SchemaController } from './http/schema.controller';
import { GrantsController } from './http/grants.controller';
import { KeysController } from './http/keys.controller';
import { validationPipe } from './http/validation';
import { GrpcTransport } from './grpc/grpc-transport';
import { StoreMessagePatterns } from './microservice/store.message-patterns';
import { RpcCallers } from './rpc/callers';
import { rateLimits } from './http/rate-limit';
import { AuditController } from './http/audit.controller';

export function openBackend(config: AppConfig): StoreBackend {
  if (config.backend === 'sqlite') {
    return new SqliteStoreBackend(config.dataDir, { maxPageCount: config.testing.maxPageCount, failpoint: crashAt(config.testing.failpoint) });
  }
  return new EsdbStoreBackend({
    connectionString: config.eventStoreConnectionString!,
    dataDir: config.dataDir,
    writeTimeoutMs: config.writeWaitTimeoutMs,
  });
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, backend?: () => StoreBackend, logStream?: NodeJS.WritableStream): DynamicModule {
    const pinoHttp: Options = {
      level: config.logLevel,
      genReqId: (req: IncomingMessage & { id?: unknown }) => String(req.id),
      // The request line is the HTTP layer's own (http/request-log.ts): it knows the route and the actor.
      autoLogging: false,
      redact: ['req.headers.authorization'],
    };
    const limits = rateLimits(config);
    return {
      module: AppModule,
      imports: [
        ...limits.imports,
        CqrsModule.forRoot(),
        TerminusModule.forRoot({ logger: false }),
        LoggerModule.forRoot({ pinoHttp: logStream ? [pinoHttp, logStream] : pinoHttp }),
        StoreModule.forRoot({
          openBackend: backend ?? (() => openBackend(config)),
          limits: config.limits,
          configFile: config.storeConfigFile,
          cursorSecretFile: config.cursorSecretFile,
          readWaitTimeoutMs: config.readWaitTimeoutMs,
          accessAudit: { retentionDays: config.accessAudit.retentionDays },
          keyVault: config.masterKeyFile === undefined ? undefined : () => openKeyVault(resolve(config.dataDir), config.masterKeyFile!),
        }),
      ],
      controllers: [
        NamespacesController, GovernanceController, GrantsController, SchemaController, KeysController, LocksController, NamespaceLockController,
        EntriesController, RollbackController, SnapshotsController, FeedController, ConsumersController, AdminController, HealthController,
        MetricsController, IdentityController, AuditController, StoreMessagePatterns,
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        ConfigReloader,
        Metrics,
        RpcCallers,
        GrpcTransport,
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useValue: validationPipe() },
        ...limits.providers,
      ],
    };
  }
}
