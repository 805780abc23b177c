import { invalid, RequestMeta } from '@app/store';
import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

const TOKEN_RE = /^[\x21-\x7e]{1,255}$/;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Who asks and why: the actor (anonymous until access control exists), correlation and idempotency. */
export function requestMeta(request: FastifyRequest): RequestMeta {
  const idempotencyKey = header(request, 'idempotency-key');
  if (idempotencyKey !== undefined && !TOKEN_RE.test(idempotencyKey)) {
    throw invalid('Idempotency-Key is 1-255 visible ASCII characters');
  }
  const correlation = header(request, 'x-correlation-id');
  return {
    actor: 'anonymous',
    correlationId: correlation && TOKEN_RE.test(correlation) ? correlation : request.id,
    causationId: request.id,
    idempotencyKey,
  };
}

export const Meta = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  requestMeta(ctx.switchToHttp().getRequest<FastifyRequest>()),
);
