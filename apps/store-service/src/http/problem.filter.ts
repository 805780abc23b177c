import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MethodNotAllowedError, Problem, toProblem } from './problem';

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    sendProblem(request, http.getResponse<FastifyReply>(), toProblem(methodNotAllowed(request) ?? error), error, this.logger);
  }
}

/**
 * The methods the router has a route for at this path, asked of the router itself (so a route
 * added later counts at once). Empty when no route matches the path whatever the method.
 */
export function allowedMethods(router: Pick<FastifyInstance, 'supportedMethods' | 'findRoute'>, url: string): string[] {
  const path = url.split('?', 1)[0];
  return router.supportedMethods.filter((method) => router.findRoute({ method, url: path }) !== null).sort();
}

/** A request no route took (Fastify's not-found path) whose path other methods do have: 405, not 404. */
function methodNotAllowed(request: FastifyRequest): MethodNotAllowedError | undefined {
  if (!request.is404) return undefined;
  const allow = allowedMethods(request.server, request.url);
  return allow.length > 0 && !allow.includes(request.method) ? new MethodNotAllowedError(request.method, allow) : undefined;
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, body: Problem, error: unknown, logger: Pick<Logger, 'error'>): void {
  if (body.status >= 500) logger.error({ err: error, requestId: request.id }, 'request failed');
  if (reply.sent) return;
  if (Array.isArray(body.allow)) reply.header('allow', body.allow.join(', '));
  // RFC 6750: a refused credential names the scheme that is asked for.
  if (body.code === 'UNAUTHORIZED') reply.header('www-authenticate', 'Bearer realm="hexastore"');
  if (typeof body.retryAfterSeconds === 'number') reply.header('retry-after', String(body.retryAfterSeconds));
  void reply
    .status(body.status)
    .header('content-type', 'application/problem+json')
    .send(JSON.stringify({ ...body, instance: request.url?.split('?')[0], requestId: request.id }));
}
