import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { actorOf } from './request-meta.decorator';

/**
 * One line per request at info, once its response is done (or its connection gone): method,
 * route pattern, status, duration, request id and actor. Never the URL's key or query, headers,
 * values or bodies. Registered first, so requests refused by any later hook are logged too.
 */
export function logRequests(fastify: FastifyInstance, logger: () => Pick<Logger, 'info'> | undefined): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.raw.once('close', () => {
      logger()?.info({
        requestId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? null,
        status: reply.raw.statusCode,
        durationMs: Math.round(reply.elapsedTime * 100) / 100,
        actor: actorOf(request),
        ...(reply.raw.writableFinished ? {} : { aborted: true }),
      }, 'request');
    });
    done();
  });
}
