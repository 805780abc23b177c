import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { invalid, PageOptions } from '@app/store';

export function single(value: unknown): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw invalid('a query parameter was given more than once');
}

export function wholeNumber(value: unknown, name: string): number | undefined {
  const text = single(value);
  if (text === undefined) return undefined;
  if (!/^\d{1,15}$/.test(text)) throw invalid(`${name} is a whole number`, { [name]: text.slice(0, 100) });
  return Number(text);
}

export function flag(value: unknown, name: string): boolean {
  const text = single(value);
  if (text === undefined || text === 'false') return false;
  if (text === 'true') return true;
  throw invalid(`${name} is true or false`, { [name]: text.slice(0, 100) });
}

export const pageOptions = (limit: unknown, cursor: unknown): PageOptions => ({
  limit: wholeNumber(limit, 'limit'),
  cursor: single(cursor),
});

/**
 * A raw query parameter. Unlike @Query('name'), it is not run through the validation pipe, whose
 * transform would join a repeated parameter into "a,b"; the readers above refuse it instead.
 */
export const QueryParam = createParamDecorator((name: string, ctx: ExecutionContext) =>
  (ctx.switchToHttp().getRequest<FastifyRequest>().query as Record<string, unknown>)[name],
);
