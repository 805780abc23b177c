import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger as PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppModule } from './app.module';
import { AppConfig } from './config/config';
import { buildOpenApiDocument } from './http/openapi';
import { toProblem } from './http/problem';
import { sendProblem } from './http/problem.filter';
import { acceptArchiveUploads } from './http/archive-upload';
import { Metrics } from './metrics/metrics';
import { StoreBackend } from '@app/store';

const REQUEST_ID_RE = /^[\x21-\x7e]{1,128}$/;

/** Builds the HTTP service (not listening yet): used by main and by the e2e tests. */
export async function createHttpApp(config: AppConfig, backend?: () => StoreBackend): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.maxRequestBytes,
    exposeHeadRoutes: false,
    // Requests the router cannot even decode get the same problem documents as everything else.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => sendProblem(request, reply, toProblem(error), error, console),
    // One request id for Fastify, the logs and the problem documents; a caller's X-Request-Id is kept.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID_RE.test(given) ? given : randomUUID();
      (req as { id?: unknown }).id = id;
      return id;
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, backend), adapter, {
    bufferLogs: true,
    // Fastify's own JSON parser only: bodies in any other media type are refused with 415.
    bodyParser: false,
  });
  app.useLogger(app.get(PinoLogger));
  // Not SIGHUP: it reloads the config file.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  acceptArchiveUploads(fastify);
  app.get(Metrics).instrument(fastify);
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // OpenAPI 3.1 at /docs-json (and /docs-yaml), Swagger UI at /docs.
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app));
  return app;
}
