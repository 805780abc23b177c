import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Problem, toProblem } from './problem';

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), toProblem(error), error, this.logger);
  }
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, body: Problem, error: unknown, logger: Pick<Logger, 'error'>): void {
  if (body.status >= 500) logger.error({ err: error, requestId: request.id }, 'request failed');
  if (reply.sent) return;
  void reply
    .status(body.status)
    .header('content-type', 'application/problem+json')
    .send(JSON.stringify({ ...body, instance: request.url?.split('?')[0], requestId: request.id }));
}
