import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toProblem } from './problem';

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const body = toProblem(error);
    if (body.status >= 500) this.logger.error({ err: error, requestId: request.id }, 'request failed');
    if (reply.sent) return;
    void reply
      .status(body.status)
      .header('content-type', 'application/problem+json')
      .send(JSON.stringify({ ...body, instance: request.url?.split('?')[0], requestId: request.id }));
  }
}
