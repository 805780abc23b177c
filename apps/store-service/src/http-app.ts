import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger as PinoLogger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppModule } from './app.module';
import { AppConfig } from './config/config';
import { acceptArchiveUploads } from './http/archive-upload';
import { StoreBackend } from '@app/store';

const REQUEST_ID_RE = /^[\x21-\x7e]{1,128}$/;

/** Builds the HTTP service (not listening yet): used by main and by the e2e tests. */
export async function createHttpApp(config: AppConfig, backend?: () => StoreBackend): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.maxRequestBytes,
    exposeHeadRoutes: false,
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
  });
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks();
  const fastify = app.getHttpAdapter().getInstance();
  acceptArchiveUploads(fastify);
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  setUpOpenApi(app);
  return app;
}

function setUpOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('HexaStore')
      .setDescription('Event-sourced key-value store: namespaced entries, transactions, history. Errors are application/problem+json with a stable `code`.')
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
}
