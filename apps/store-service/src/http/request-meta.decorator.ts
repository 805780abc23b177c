import { invalid, LOCK_NAME_PATTERN, NAMESPACE_PATTERN, RequestMeta } from '@app/store';
import { applyDecorators, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiHeader, ApiQuery } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { callerOf, identityOf } from './authentication';

const TOKEN_RE = /^[\x21-\x7e]{1,255}$/;

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Who asks: the authenticated user (`anonymous` while authentication is off). */
export const actorOf = (request: FastifyRequest): string => identityOf(request).user;

const LOCK_TOKEN_RE = /^[1-9]\d{0,15}$/;

function lockToken(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!LOCK_TOKEN_RE.test(text) || !Number.isSafeInteger(Number(text))) throw invalid(`${name} is the whole number a lock acquisition answered`);
  return Number(text);
}

/** `X-Fencing-Token: <lock>:<token>` (a namespace's freeze is the lock `namespace/<ns>`). */
function fencing(text: string | undefined): RequestMeta['fencing'] {
  if (text === undefined) return undefined;
  const at = text.lastIndexOf(':');
  const lock = text.slice(0, at);
  const validLock = LOCK_NAME_PATTERN.test(lock) || (lock.startsWith('namespace/') && NAMESPACE_PATTERN.test(lock.slice('namespace/'.length)));
  if (at < 0 || !validLock) throw invalid('X-Fencing-Token is <lock>:<token>');
  return { lock, token: lockToken(text.slice(at + 1), 'the token of X-Fencing-Token')! };
}

/** Who asks and why: the actor, correlation and idempotency. */
export function requestMeta(request: FastifyRequest): RequestMeta {
  const idempotencyKey = header(request, 'idempotency-key');
  if (idempotencyKey !== undefined && !TOKEN_RE.test(idempotencyKey)) {
    throw invalid('Idempotency-Key is 1-255 visible ASCII characters');
  }
  const correlation = header(request, 'x-correlation-id');
  return {
    actor: identityOf(request).user,
    roles: identityOf(request).roles,
    caller: callerOf(request),
    correlationId: correlation && TOKEN_RE.test(correlation) ? correlation : request.id,
    causationId: request.id,
    idempotencyKey,
    lockToken: lockToken(header(request, 'x-lock-token'), 'X-Lock-Token'),
    fencing: fencing(header(request, 'x-fencing-token')),
  };
}

export const Meta = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  requestMeta(ctx.switchToHttp().getRequest<FastifyRequest>()),
);

/** The caller whose grants the handlers check (undefined while authentication is off). */
export const AuthCaller = createParamDecorator((_: unknown, ctx: ExecutionContext) =>
  callerOf(ctx.switchToHttp().getRequest<FastifyRequest>()),
);

/** `?minPosition=` or the `X-Min-Position` header: a log position the read must include (read-your-writes). */
export const MinPosition = createParamDecorator((_: unknown, ctx: ExecutionContext) => {
  const request = ctx.switchToHttp().getRequest<FastifyRequest>();
  const query = (request.query as Record<string, unknown> | undefined)?.minPosition;
  if (Array.isArray(query)) throw invalid('minPosition was given more than once');
  return typeof query === 'string' ? query : header(request, 'x-min-position');
});

const MIN_POSITION_DOC = 'the `position` a write answered: wait (up to READ_WAIT_TIMEOUT_MS, then 504 READ_TIMEOUT) until this replica has it';

export const ApiMinPosition = () =>
  applyDecorators(
    ApiQuery({ name: 'minPosition', required: false, type: String, description: MIN_POSITION_DOC }),
    ApiHeader({ name: 'X-Min-Position', required: false, description: MIN_POSITION_DOC, schema: { type: 'string' } }),
  );
