/**
 * The OpenAPI document at /docs-json against the router and the OpenAPI 3.1 schema: every route
 * the router has is documented (and nothing else), with answers a client can generate code from.
 */
import { validate } from '@readme/openapi-parser';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '../apps/store-service/src/config/config';
import { createHttpApp } from '../apps/store-service/src/http-app';
import { http, removeDir, tempDir } from './support/service';

type Schema = Record<string, any>;
type Operation = { parameters?: Schema[]; responses: Record<string, Schema>; requestBody?: Schema; operationId?: string };

const METHODS = ['get', 'head', 'put', 'post', 'delete', 'patch', 'options'];
/** The sub-resources of an entry per method (entry-path.ts): the router reaches them through `/entries/*`. */
const ENTRY_SUB_RESOURCES: Record<string, string[]> = { GET: ['', '/history'], HEAD: [''], PUT: ['', '/ttl'], DELETE: [''], POST: ['/restore', '/purge'] };
/** Whole numbers of the API: never `number`. */
const WHOLE = new Set(['version', 'modRevision', 'revision', 'toRevision', 'asOf', 'count', 'entryCount', 'bytes', 'ttlSeconds',
  'defaultTtlSeconds', 'expectedVersion', 'limit', 'events', 'millis', 'checkpoints', 'lagEvents']);

let app: NestFastifyApplication;
let dataDir: string;
let url: string;
let doc: Schema;
const routes: { method: string; url: string }[] = [];

beforeAll(async () => {
  dataDir = tempDir();
  app = await createHttpApp(loadConfig({ LOG_LEVEL: 'silent', STORE_DATA_DIR: dataDir, PORT: '0' }));
  // Nest adds the controllers' routes at init, after this hook is in place.
  app.getHttpAdapter().getInstance().addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  const answer = await http('GET', `${url}/docs-json`);
  expect(answer.status).toBe(200);
  doc = answer.body;
});

afterAll(async () => {
  await app?.close();
  removeDir(dataDir);
});

const operations = (): [string, string, Operation][] =>
  Object.entries(doc.paths as Record<string, Schema>).flatMap(([path, item]) =>
    Object.entries(item).filter(([method]) => METHODS.includes(method)).map(([method, op]) => [path, method, op as Operation] as [string, string, Operation]),
  );

/** A documented path as the router spells it: `{ns}` → `:ns`, an entry key (and its sub-resource) → the wildcard. */
const routeOf = (path: string) => path.replace(/\/entries\/\{key\}(\/[a-z]+)?$/, '/entries/*').replace(/\{(\w+)\}/g, ':$1');

/** Every schema object in the document, with the name it is found under. */
function schemas(node: unknown, name = '', out: [string, Schema][] = []): [string, Schema][] {
  if (Array.isArray(node)) node.forEach((n) => schemas(n, name, out));
  else if (node !== null && typeof node === 'object') {
    const object = node as Schema;
    if (typeof object.type === 'string' || Array.isArray(object.type)) out.push([name, object]);
    for (const [key, value] of Object.entries(object)) {
      const child = key === 'properties' ? undefined : key;
      if (key === 'properties') for (const [prop, schema] of Object.entries(value as Schema)) schemas(schema, prop, out);
      else if (key === 'schema' && typeof object.name === 'string') schemas(value, object.name, out);
      else if (child !== 'example' && child !== 'examples') schemas(value, ['items', 'allOf', 'oneOf', 'anyOf'].includes(key) ? name : '', out);
    }
  }
  return out;
}

const problemRef = (schema: Schema | undefined): boolean =>
  schema?.$ref === '#/components/schemas/Problem' || (Array.isArray(schema?.allOf) && schema.allOf.some(problemRef));

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as Parameters<typeof validate>[0]);
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result.valid).toBe(true);
    // The validator refuses what it should: a path parameter the template does not have.
    const broken = structuredClone(doc);
    broken.paths['/v1/namespaces/{ns}'].get.parameters.push({ name: 'nope', in: 'path', required: true, schema: { type: 'string' } });
    expect((await validate(broken as Parameters<typeof validate>[0])).valid).toBe(false);
    expect(JSON.stringify(doc)).not.toContain('"nullable"');
  });

  it('documents every route the router has, and no other', () => {
    const served = routes.filter((r) => !r.url.startsWith('/docs'));
    expect(served.length).toBeGreaterThan(20);
    expect(served).toContainEqual({ method: 'GET', url: '/v1/namespaces/:ns/entries/*' });
    const documented = operations().map(([path, method]) => `${method.toUpperCase()} ${path}`).sort();
    const expected = served
      .flatMap(({ method, url: route }) => {
        if (!route.endsWith('/entries/*')) return [`${method} ${route.replace(/:(\w+)/g, '{$1}')}`];
        const base = route.replace(/:(\w+)/g, '{$1}').replace(/\*$/, '{key}');
        return (ENTRY_SUB_RESOURCES[method] ?? ['']).map((sub) => `${method} ${base}${sub}`);
      })
      .sort();
    expect(documented).toEqual([...new Set(expected)]);
    for (const [path, method] of operations()) expect(served).toContainEqual({ method: method.toUpperCase(), url: routeOf(path) });
  });

  it('declares exactly the path parameters of each template, with a key that may hold "/"', () => {
    for (const [path, method, op] of operations()) {
      const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
      expect({ op: `${method} ${path}`, declared }).toEqual({ op: `${method} ${path}`, declared: inTemplate });
    }
    const key = doc.paths['/v1/namespaces/{ns}/entries/{key}/history'].get.parameters.find((p: Schema) => p.name === 'key');
    expect(key.description).toContain('%2F');
  });

  it('gives every success a schema, and every failure a Problem as application/problem+json', () => {
    const problem = doc.components.schemas.Problem;
    expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']));
    expect(Object.keys(problem.properties)).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']));
    for (const [path, method, op] of operations()) {
      const name = `${method.toUpperCase()} ${path}`;
      const statuses = Object.keys(op.responses);
      expect({ name, success: statuses.some((s) => s.startsWith('2')) }).toEqual({ name, success: true });
      expect({ name, problem: statuses.some((s) => problemRef(op.responses[s].content?.['application/problem+json']?.schema)) })
        .toEqual({ name, problem: true });
      for (const [status, response] of Object.entries(op.responses)) {
        const content = response.content ?? {};
        if (status.startsWith('2') && status !== '204' && method !== 'head') {
          const media = Object.entries(content);
          expect({ name, status, media: media.length > 0 }).toEqual({ name, status, media: true });
          for (const [type, { schema }] of media as [string, Schema][]) {
            expect({ name, status, type, schema: Object.keys(schema ?? {}).length > 0 }).toEqual({ name, status, type, schema: true });
          }
        }
        if (status.startsWith('4')) expect({ name, status, problem: problemRef(content['application/problem+json']?.schema) }).toEqual({ name, status, problem: true });
        if (content['application/problem+json']) expect({ name, status, only: Object.keys(content) }).toEqual({ name, status, only: ['application/problem+json'] });
      }
    }
    // The codes a 404 of an entry names.
    const notFound = doc.paths['/v1/namespaces/{ns}/entries/{key}'].get.responses['404'].content['application/problem+json'].schema;
    expect(JSON.stringify(notFound)).toContain('ENTRY_NOT_FOUND');
  });

  it('documents the bearer credential: every operation but /health/* needs it and may answer 401 UNAUTHORIZED', () => {
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ bearer: [] }]);
    let open = 0;
    for (const [path, method, op] of operations()) {
      const name = `${method.toUpperCase()} ${path}`;
      if (path.startsWith('/health/')) {
        open++;
        expect({ name, security: (op as Schema).security, has401: '401' in op.responses }).toEqual({ name, security: [], has401: false });
      } else {
        expect({ name, security: (op as Schema).security, unauthorized: JSON.stringify(op.responses['401'] ?? {}).includes('UNAUTHORIZED') })
          .toEqual({ name, security: undefined, unauthorized: true });
      }
    }
    expect(open).toBe(2);
  });

  it('documents the rate limit: every operation but /health/* may answer 429 RATE_LIMITED', () => {
    for (const [path, method, op] of operations()) {
      const name = `${method.toUpperCase()} ${path}`;
      const limited = JSON.stringify(op.responses['429'] ?? {}).includes('RATE_LIMITED');
      expect({ name, limited }).toEqual({ name, limited: !path.startsWith('/health/') });
    }
  });

  it('documents 403 FORBIDDEN on every call that checks a grant or the admin role, and on no other', () => {
    const forbidding: string[] = [];
    for (const [path, method, op] of operations()) {
      const name = `${method.toUpperCase()} ${path}`;
      const checked = path.startsWith('/v1/') && path !== '/v1/whoami' && path !== '/v1/feed';
      expect({ name, forbidden: JSON.stringify(op.responses['403'] ?? {}).includes('FORBIDDEN') }).toEqual({ name, forbidden: checked });
      if (checked) forbidding.push(name);
    }
    expect(forbidding).toEqual(expect.arrayContaining([
      'GET /v1/namespaces/{ns}/entries/{key}', 'PUT /v1/namespaces/{ns}/grants/{subject}', 'GET /v1/namespaces/{ns}/grants/check',
      'POST /v1/admin/backup', 'GET /v1/namespaces/{ns}/feed', 'GET /v1/replicas',
    ]));
  });

  it('describes the change feed as text/event-stream resumable with Last-Event-ID', () => {
    for (const path of ['/v1/feed', '/v1/namespaces/{ns}/feed']) {
      const op = doc.paths[path].get;
      expect(Object.keys(op.responses['200'].content)).toEqual(['text/event-stream']);
      expect(op.parameters).toContainEqual(expect.objectContaining({ name: 'Last-Event-ID', in: 'header' }));
    }
    expect(doc.components.schemas.FeedEvent.properties.position.type).toBe('string');
  });

  it('types whole numbers as integer', () => {
    const found = schemas(doc).filter(([name]) => WHOLE.has(name));
    expect(found.length).toBeGreaterThan(40);
    const wrong = found.filter(([, schema]) => ![schema.type].flat().includes('integer')).map(([name, schema]) => `${name}: ${JSON.stringify(schema.type)}`);
    expect(wrong).toEqual([]);
    const numbers = schemas(doc).filter(([, schema]) => [schema.type].flat().includes('number')).map(([name]) => name);
    expect([...new Set(numbers)].sort()).toEqual(['lagSeconds', 'responseTime']);
    expect(doc.components.schemas.Problem.properties.status.type).toBe('integer');
  });

  it('documents the status and media type of what each route answers to a plain request', async () => {
    await http('PUT', `${url}/v1/namespaces/billing/entries/plans/pro`, { value: '20' });
    const samples: Record<string, string> = { ns: 'billing', key: 'plans/pro', id: 'nope', name: 'nope' };
    const skipped = ['GET /v1/feed', 'GET /v1/namespaces/{ns}/feed', 'POST /v1/admin/restore', 'POST /v1/admin/rebuild'];
    let probed = 0;
    for (const [path, method, op] of operations()) {
      if (skipped.includes(`${method.toUpperCase()} ${path}`)) continue;
      const target = url + path.replace(/\{(\w+)\}/g, (_, name: string) => samples[name]);
      const body = op.requestBody?.content?.['application/json'] ? {} : undefined;
      const response = await fetch(target, {
        method: method.toUpperCase(),
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      await response.arrayBuffer();
      const documented = op.responses[String(response.status)];
      const name = `${method.toUpperCase()} ${path} → ${response.status}`;
      expect({ name, documented: documented !== undefined }).toEqual({ name, documented: true });
      const type = response.headers.get('content-type')?.split(';')[0];
      if (documented?.content && method !== 'head') {
        const media = Object.keys(documented.content).map((m) => m.split(';')[0]);
        expect({ name, type: media.includes(type ?? '') }).toEqual({ name, type: true });
      }
      probed++;
    }
    expect(probed).toBeGreaterThan(25);
  });
});
