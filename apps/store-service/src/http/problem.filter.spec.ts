import Fastify from 'fastify';
import { allowedMethods } from './problem.filter';

async function router(routes: [string, string][]) {
  const app = Fastify({ exposeHeadRoutes: false });
  for (const [method, url] of routes) app.route({ method, url, handler: async () => 'ok' });
  await app.ready();
  return app;
}

describe('allowedMethods', () => {
  const today: [string, string][] = [
    ['GET', '/v1/namespaces'], ['GET', '/v1/namespaces/:ns'], ['PUT', '/v1/namespaces/:ns'],
    ['GET', '/v1/namespaces/:ns/entries/*'], ['PUT', '/v1/namespaces/:ns/entries/*'],
  ];

  it('answers the methods whose routes match the path, from the router', async () => {
    const app = await router(today);
    expect(allowedMethods(app, '/v1/namespaces/billing')).toEqual(['GET', 'PUT']);
    expect(allowedMethods(app, '/v1/namespaces')).toEqual(['GET']);
    expect(allowedMethods(app, '/v1/namespaces/billing/entries/a/b%2Fc?x=1')).toEqual(['GET', 'PUT']);
    expect(allowedMethods(app, '/v1/nothing-here')).toEqual([]);
    await app.close();
  });

  it('follows the routes: a DELETE route added later is allowed without anything else changing', async () => {
    const app = await router([...today, ['DELETE', '/v1/namespaces/:ns']]);
    expect(allowedMethods(app, '/v1/namespaces/billing')).toEqual(['DELETE', 'GET', 'PUT']);
    await app.close();
  });
});
