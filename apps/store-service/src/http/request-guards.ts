import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isIP } from 'node:net';
import { HttpServerConfig } from '../config/config';
import { ARCHIVE_CONTENT_TYPES, RESTORE_PATH } from './archive-upload';
import { TransportError } from './problem';

const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '[::]']);

/** The host name of a Host header, lower case, without its port (an IPv6 literal keeps its brackets). */
export function hostName(header: string | undefined): string {
  const host = (header ?? '').trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/**
 * Whether a Host header names this service: an IP literal or a loopback name (no DNS answer can
 * rebind those), the HOST it listens on, or a name of ALLOWED_HOSTS (`*`: any).
 */
export function hostAllowed(header: string | undefined, boundHost: string, allowed: readonly string[]): boolean {
  const name = hostName(header);
  if (name === '') return false;
  if (allowed.includes('*') || allowed.includes(name)) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name.startsWith('[') ? name.slice(1, -1) : name) !== 0) return true;
  const bound = boundHost.toLowerCase();
  return !WILDCARD_ADDRESSES.has(bound) && name === bound;
}

const mediaType = (request: FastifyRequest) => request.headers['content-type']?.split(';')[0].trim().toLowerCase();

/**
 * What a web page must not be able to make this service do. A page on another origin may send a
 * POST with no body or a form or text body without asking first (a CORS "simple" request): every
 * POST must say `application/json` (the restore: an archive type), which a browser only sends
 * after a preflight this service never approves. A page on a rebound DNS name reaches the
 * service as its own origin: its Host header names no host of this service, and is refused.
 */
export function guardBrowserRequests(fastify: FastifyInstance, boundHost: string, config: HttpServerConfig): void {
  fastify.addHook('onRequest', async (request) => {
    if (!hostAllowed(request.headers.host, boundHost, config.allowedHosts)) {
      throw new TransportError('HOST_NOT_ALLOWED', 'the Host header names no host of this service (see ALLOWED_HOSTS)');
    }
    if (request.method !== 'POST') return;
    const type = mediaType(request);
    if (request.url.split('?')[0] === RESTORE_PATH) {
      if (type === undefined || !ARCHIVE_CONTENT_TYPES.includes(type)) {
        throw new TransportError('UNSUPPORTED_MEDIA_TYPE', `send the archive as ${ARCHIVE_CONTENT_TYPES.join(' or ')}`);
      }
    } else if (type !== 'application/json') {
      throw new TransportError('UNSUPPORTED_MEDIA_TYPE', 'a POST needs content-type: application/json (also without a body)');
    }
  });
}
