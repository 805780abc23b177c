import { ExecutionContext, Injectable, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { DynamicModule } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../config/config';
import { identityOf, isPublicRoute } from './authentication';
import { TransportError } from './problem';

/** Who a limit counts for: the authenticated user, or (authentication off) the client address. */
export const rateLimitCaller = (request: FastifyRequest, authenticationOn: boolean): string =>
  authenticationOn ? `user:${identityOf(request).user}` : `address:${request.ip}`;

/** The throttler's guard, answering a call over the limit with 429 RATE_LIMITED and Retry-After. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new TransportError('RATE_LIMITED', `at most ${detail.limit} calls per ${detail.ttl} ms per caller; retry later`, {
      limit: detail.limit,
      windowMs: detail.ttl,
      retryAfterSeconds: Math.max(1, detail.timeToBlockExpire),
    });
  }
}

/**
 * Rate limits per caller (RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW_MS, a sliding window; refused
 * calls do not count), or nothing when RATE_LIMIT_REQUESTS is 0. Guards run before pipes and
 * handlers: a refused call reads and writes nothing. /health/* is never limited.
 */
export function rateLimits(config: AppConfig): { imports: DynamicModule[]; providers: Provider[] } {
  if (config.rateLimit.requests === 0) return { imports: [], providers: [] };
  const authenticationOn = config.auth.mode === 'on';
  return {
    imports: [ThrottlerModule.forRoot({
      throttlers: [{ limit: config.rateLimit.requests, ttl: config.rateLimit.windowMs, blockDuration: 0 }],
      setHeaders: false,
      getTracker: (request) => rateLimitCaller(request as FastifyRequest, authenticationOn),
      // One budget per caller across every route (the throttler's default counts per route).
      generateKey: (_context, caller, throttler) => `${throttler}:${caller}`,
      skipIf: (context) => isPublicRoute(context.switchToHttp().getRequest<FastifyRequest>().routeOptions.url),
    })],
    providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
  };
}
