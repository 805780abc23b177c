import { AccessAudit, outcomeOf } from '@app/store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { identityOf, isPublicRoute } from './authentication';
import { parseEntryPath } from './entry-path';

const ENTRY_ROUTE = '/v1/namespaces/:ns/entries/*';
/** Routes that are not calls on the store: probes, metrics, the API's own documentation. */
const UNAUDITED = /^\/(health\/|metrics$|docs)/;
const MAX_FIELD = 1024;

const clip = (text: string) => (text.length > MAX_FIELD ? text.slice(0, MAX_FIELD) : text);

/** The namespace and key a call named, from its route parameters (never its body or query). */
function target(request: FastifyRequest, route: string): { namespace: string | null; key: string | null; sub?: string } {
  const ns = (request.params as Record<string, unknown> | undefined)?.ns;
  const namespace = typeof ns === 'string' ? clip(ns) : null;
  if (route !== ENTRY_ROUTE) return { namespace, key: null };
  try {
    const { key, sub } = parseEntryPath(request.url, ['ttl', 'history', 'restore', 'purge']);
    return { namespace, key: clip(key), sub };
  } catch {
    return { namespace, key: null };
  }
}

/**
 * The access audit's one HTTP feed: every answered call on a route of the store — served, refused
 * by authentication (401, actor null), by authorisation (403), by validation, by the rate limit, or
 * failed — recorded once its response is done (or its connection gone), with the time it arrived.
 * Registered before the authentication hook, so calls refused there are recorded too. Never a
 * header, body or query.
 */
export function recordAccess(fastify: FastifyInstance, audit: AccessAudit, now: () => Date = () => new Date()): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url;
    if (route === undefined || isPublicRoute(route) || UNAUDITED.test(route)) return done();
    // When the call arrived (a feed stream is recorded when it ends, with the time it began).
    const time = now().toISOString();
    reply.raw.once('close', () => {
      const status = reply.raw.statusCode;
      const { namespace, key, sub } = target(request, route);
      audit.record({
        actor: status === 401 ? null : identityOf(request).user,
        operation: `${request.method} ${route}${sub ? `/${sub}` : ''}`,
        namespace,
        key,
        outcome: outcomeOf(status, reply.raw.headersSent),
        status,
        requestId: String(request.id),
        time,
      });
    });
    done();
  });
}

