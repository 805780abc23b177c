import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where the admin page is served. */
export const ADMIN_UI_PREFIX = '/ui';

/**
 * Everything the page may load comes from this service; no inline script or style, no frames, no
 * plugins, no form posts elsewhere. (The page's calls are same-origin fetches carrying the token.)
 */
export const ADMIN_UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The built page (`npm run build` writes dist/admin-ui), found from the compiled or the source file. */
export function adminUiRoot(): string | undefined {
  const candidates = [resolve(__dirname, '../../../../admin-ui'), resolve(__dirname, '../../../../dist/admin-ui')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

/** Whether a route is one of the page's static files: public, as they hold no data (the API calls carry the token). */
export const isAdminUiRoute = (route: string | undefined): boolean =>
  route !== undefined && (route === ADMIN_UI_PREFIX || route.startsWith(`${ADMIN_UI_PREFIX}/`));

/** Serves the admin page's static files at /ui/ (one route per built file) with a strict Content-Security-Policy. */
export async function serveAdminUi(fastify: FastifyInstance): Promise<void> {
  const root = adminUiRoot();
  fastify.get(ADMIN_UI_PREFIX, (_request, reply) => reply.redirect(`${ADMIN_UI_PREFIX}/`, 302));
  fastify.addHook('onSend', async (request, reply) => {
    if (!isAdminUiRoute(request.routeOptions.url)) return;
    reply.header('content-security-policy', ADMIN_UI_CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cache-control', 'no-cache');
  });
  if (root === undefined) return;
  await fastify.register(fastifyStatic, {
    root,
    prefix: `${ADMIN_UI_PREFIX}/`,
    // One route per built file, known at start: nothing else under /ui is served.
    wildcard: false,
    index: 'index.html',
    dotfiles: 'deny',
    decorateReply: false,
    cacheControl: false,
  });
}
