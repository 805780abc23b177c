import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions, Transport } from '@nestjs/microservices';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppModule } from './app.module';
import { AppConfig } from './config/config';
import { buildOpenApiDocument } from './http/openapi';
import { toProblem } from './http/problem';
import { sendProblem } from './http/problem.filter';
import { acceptArchiveUploads } from './http/archive-upload';
import { serveAdminUi } from './http/admin-ui';
import { answerMalformedRequest } from './http/malformed-request';
import { Metrics } from './metrics/metrics';
import { acceptJsonBodies } from './http/json-body';
import { guardBrowserRequests } from './http/request-guards';
import { logRequests } from './http/request-log';
import { AccessAudit, ApiKeys, StoreBackend } from '@app/store';
import { recordAccess } from './http/access-recording';
import { authenticateRequests, Authenticator, loadJwtKeys } from './http/authentication';

const REQUEST_ID_RE = /^[\x21-\x7e]{1,128}$/;

export interface HttpAppOptions {
  /** Where the logs go (JSON lines); stdout by default. */
  readonly logStream?: NodeJS.WritableStream;
  /** Told of every route as the router gets it, the documentation's included (the tests enumerate the router). */
  readonly onRoute?: (route: { method: string | string[]; url: string }) => void;
}

/** Builds the HTTP service (not listening yet): used by main and by the e2e tests. */
export async function createHttpApp(config: AppConfig, backend?: () => StoreBackend, options: HttpAppOptions = {}): Promise<NestFastifyApplication> {
  // Before anything starts: a key file that holds no usable key stops the start.
  const jwtKeys = await loadJwtKeys(config.auth);
  const adapter = new FastifyAdapter({
    bodyLimit: config.maxRequestBytes,
    exposeHeadRoutes: false,
    // No connection lives on unbounded: a client must send its headers, then its whole request, in
    // time; a silent connection is closed; kept-alive ones wait so long for their next request.
    // (The change feed lifts the idle timeout on its own streams: they carry heartbeats.)
    connectionTimeout: config.http.idleTimeoutMs,
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    http: {
      headersTimeout: config.http.headersTimeoutMs,
      requestTimeout: config.http.requestTimeoutMs,
      // Node checks these two timeouts on an interval (30 s by default): often enough to honour them.
      connectionsCheckingInterval: Math.min(1000, config.http.headersTimeoutMs),
    },
    // Requests the HTTP parser refuses, and those the router cannot even decode, get the same problem
    // documents as everything else.
    clientErrorHandler: answerMalformedRequest,
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => sendProblem(request, reply, toProblem(error), error, console),
    // One request id for Fastify, the logs and the problem documents; a caller's X-Request-Id is kept.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
      (req as { id?: unknown }).id = id;
      return id;
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, backend, options.logStream), adapter, {
    bufferLogs: true,
    // Fastify's own JSON parser only: bodies in any other media type are refused with 415.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  // Not SIGHUP: it reloads the config file.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const fastify = app.getHttpAdapter().getInstance();
  if (options.onRoute) fastify.addHook('onRoute', options.onRoute);
  fastify.removeContentTypeParser('text/plain');
  logRequests(fastify, () => PinoLogger.root);
  // Before authentication: a call it refuses is recorded too.
  recordAccess(fastify, app.get(AccessAudit));
  guardBrowserRequests(fastify, config.host, config.http);
  authenticateRequests(fastify, new Authenticator(config.auth, app.get(ApiKeys), jwtKeys));
  acceptJsonBodies(fastify, config.limits);
  acceptArchiveUploads(fastify);
  await serveAdminUi(fastify);
  app.get(Metrics).instrument(fastify);
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.getHttpServer().maxConnections = config.http.maxConnections;
  // OpenAPI 3.1 at /docs-json (and /docs-yaml), Swagger UI at /docs.
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app));
  if (config.microservicePort !== undefined) {
    // Its own filters and pipes (the HTTP app's answer HTTP requests): see microservice/.
    app.connectMicroservice<MicroserviceOptions>({
      transport: Transport.TCP,
      options: { host: config.host, port: config.microservicePort, maxBufferSize: config.maxRequestBytes },
    });
    await app.startAllMicroservices();
  }
  return app;
}
