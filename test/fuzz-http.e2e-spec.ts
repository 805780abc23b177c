// Fuzzing the HTTP surface with fast-check against an in-process service: odd methods, paths,
// headers and bodies. Checked for every request: no 5xx; every 4xx that the application answers is
// application/problem+json with a `code`; a refused request leaves the log head where it was; a
// well-formed put is taken and read back. Over the whole run the event loop (the service's: it
// runs in this process) is never blocked longer than a generous bound. FUZZ_RUNS (default 250)
// requests, RELIABILITY_SCALE multiplies; RELIABILITY_SEED replays a run.
import fc from 'fast-check';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { rawRequest, RawResponse } from './support/raw-http';
import { runs, seedOf } from './support/reliability';
import { RunningService, startService, removeDir } from './support/service';

const RUNS = runs('FUZZ_RUNS', 250);
/** Longest event-loop stall allowed during the run: a guard against stalls (seconds-long), not a speed check on a shared machine. */
const MAX_LOOP_DELAY_MS = 1000;

interface FuzzRequest {
  readonly method: string;
  readonly path: Buffer;
  readonly headers: readonly (readonly [string, string])[];
  readonly body?: Buffer;
  /**
   * Bytes Node's HTTP parser refuses before the application sees the request (a raw NUL or
   * non-ASCII byte in the request line, headers over 16 KiB, a
   * transfer-encoding other than chunked): refused with 400/431 and a problem document all the same.
   */
  readonly parserLevel: boolean;
}

const latin1 = (s: string) => Buffer.from(s, 'latin1');
const deep = (depth: number, open: string, close: string, inner = '1') => open.repeat(depth) + inner + close.repeat(depth);

const namespace = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('fz', 'fz-b', 'fz.c') },
  fc.constantFrom('FZ', '-fz', 'fz-', 'a'.repeat(64), 'a'.repeat(65), '..', '.', '%2e%2e', 'fz%00', 'f%C3%A9', '%FF', '', 'fz%2Fx', '__proto__', 'constructor'),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);

/** A key as it goes on the wire: plain, %-encoded bytes (invalid UTF-8 too), long, or broken escapes. */
const key = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('k', 'a/b', 'x%20y', '%C3%A9', '__proto__', 'constructor', 'prototype', 'k%20v') },
  fc.uint8Array({ minLength: 1, maxLength: 12 }).map((bytes) => Array.from(bytes, (b) => `%${b.toString(16).padStart(2, '0')}`).join('')),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 16 }).map(encodeURIComponent),
  fc.constantFrom('%', '%zz', '%0', '%00', '%0A', '%7F', '%C0%AF', '%ED%A0%80', '%F4%90%80%80', 'a%2F..%2F..', '//', 'a//b'),
  fc.integer({ min: 1000, max: 1100 }).map((n) => 'k'.repeat(n)),
  fc.integer({ min: 300, max: 400 }).map((n) => '%C3%A9'.repeat(n)),
);

const query = fc.constantFrom('', '?limit=0', '?limit=-1', '?limit=1001', '?limit=abc', '?cursor=%FF', '?cursor=zzz', '?prefix=%00',
  '?asOf=-1', '?asOf=1e99', '?minPosition=x', '?minPosition=999999999', '?expectedVersion=abc', '?expectedVersion=1', '?limit=1&limit=2', '?__proto__=1');

const path = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(namespace, key, fc.constantFrom('', '/history', '/ttl'), query).map(([ns, k, tail, q]) => `/v1/namespaces/${ns}/entries/${k}${tail}${q}`) },
  { weight: 3, arbitrary: fc.tuple(namespace, query).map(([ns, q]) => `/v1/namespaces/${ns}/entries${q}`) },
  { weight: 3, arbitrary: namespace.map((ns) => `/v1/namespaces/${ns}/transactions`) },
  { weight: 2, arbitrary: namespace.map((ns) => `/v1/namespaces/${ns}`) },
  fc.constantFrom('/v1/namespaces', '/', '/v1', '/v2/namespaces', '/v1/namespaces/', '/v1/namespaces/fz/entries/', '/health/live', '/metrics',
    '/v1/namespaces/fz/entries/k?' + 'q=1&'.repeat(500), '/v1/namespaces/fz/%2e%2e/x', '/v1/namespaces/fz/entries/k#frag'),
).map((p) => ({ path: latin1(p), parserLevel: false }));

/** Raw bytes the HTTP parser itself refuses in a request line. */
const parserLevelPath = fc.constantFrom('/v1/namespaces/fz/entries/a\u0000b', '/v1/namespaces/fz/entries/\u00ff', '/v1/namespaces/fz/entries/a b c')
  .map((p) => ({ path: latin1(p), parserLevel: true }));

const value = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('', '\u0000', 'a\u0000b', '\ud800', '{"a":1}'));

/** JSON documents, including the shapes that have hurt JSON services: deep, wide, prototype keys, wrong types. */
const jsonBody = fc.oneof(
  { weight: 5, arbitrary: fc.record({ value }, { requiredKeys: [] }).map((o) => JSON.stringify(o)) },
  { weight: 3, arbitrary: fc.record({
    value: fc.oneof(value, fc.integer(), fc.constant(null), fc.array(fc.nat(), { maxLength: 3 }), fc.object({ maxDepth: 1 })),
    valueBase64: fc.oneof(fc.constantFrom('/wA=', '!!', '====', 'AA'), fc.base64String({ maxLength: 20 })),
    metadata: fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 5 }), fc.constant([]), fc.constant('m'),
      fc.constant({ a: 1 }), fc.constant(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`m${i}`, 'v'])))),
    // No short TTL: an expiry is an event the sweeper writes, which would move the log head mid-check.
    ttlSeconds: fc.oneof(fc.integer({ min: 86_400 }), fc.integer({ max: 0 }), fc.constant(null), fc.constant('5'), fc.double({ min: 86_400.5, noNaN: true })),
    expectedVersion: fc.oneof(fc.integer({ min: -2, max: 3 }), fc.constant('1'), fc.constant(1.5), fc.constant(null)),
  }, { requiredKeys: [] }).map((o) => JSON.stringify(o)) },
  { weight: 3, arbitrary: fc.record({
    ops: fc.oneof(fc.array(fc.record({
      op: fc.constantFrom('put', 'delete', 'get', '__proto__', 1),
      key: fc.oneof(fc.constantFrom('t1', 't2', '', '\u0000', 'x'.repeat(1025)), fc.string({ maxLength: 8 })),
      value: fc.option(value),
      expectedVersion: fc.option(fc.integer({ min: -1, max: 3 })),
    }, { requiredKeys: ['op'] }), { maxLength: 4 }), fc.constant([]), fc.constant({}), fc.constant(null)),
  }, { requiredKeys: [] }).map((o) => JSON.stringify(o)) },
  fc.constantFrom(
    '{"__proto__": {"polluted": true}, "value": "p"}',
    '{"constructor": {"prototype": {"polluted": true}}, "value": "c"}',
    '{"value": "a", "value": "b"}',
    '{"value": "x", "metadata": {"__proto__": "y"}}',
    '{"ops": [{"op": "put", "key": "__proto__", "value": "v"}]}',
    '{"value": "\\u0000"}', '{"value": "\\ud800"}', '{"value": 1e309}', '[]', '"s"', '1', 'null', '{', '{"value":', '', ' ', '{}',
  ),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.integer({ min: 1000, max: 100_000 }).map((depth) => deep(depth, '[', ']')),
  fc.integer({ min: 1000, max: 50_000 }).map((depth) => deep(depth, '{"value":', '}', '"v"')),
  fc.integer({ min: 1000, max: 20_000 }).map((width) => `{${Array.from({ length: width }, (_, i) => `"k${i}":${i}`).join(',')},"value":"w"}`),
  fc.integer({ min: 1000, max: 20_000 }).map((width) => `{"ops":[${Array.from({ length: width }, () => '{"op":"put","key":"w","value":"v"}').join(',')}]}`),
  fc.constantFrom(1024 * 1024 + 1, 2 * 1024 * 1024).map((n) => `{"value":"${'v'.repeat(n)}"}`),
).map((text) => Buffer.from(text, 'utf8'));

const body = fc.oneof(
  { weight: 8, arbitrary: jsonBody },
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
  fc.constant(Buffer.concat([latin1('{"value":"'), Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80]), latin1('"}')])),
  fc.constant(Buffer.from('{"value":"a\u0000b"}', 'utf8')),
  fc.constant(Buffer.alloc(7 * 1024 * 1024, 0x61)),
);

const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=latin1',
  'application/json;;', 'application/problem+json', 'application/merge-patch+json', 'text/plain', 'text/json', 'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x', 'application/gzip', '*/*', '', 'application/json, text/plain', `application/json; x=${'y'.repeat(3000)}`);

const headers = fc.record({
  contentType: fc.array(contentType, { minLength: 0, maxLength: 2 }),
  idempotencyKey: fc.option(fc.oneof(fc.string({ maxLength: 20 }).filter((s) => /^[\x20-\x7e]*$/.test(s)), fc.constant('i'.repeat(5000)))),
  extra: fc.array(fc.constantFrom<readonly [string, string]>(
    ['accept', 'application/xml'], ['accept-encoding', 'gzip, br'], ['x-request-id', 'x'.repeat(200)], ['x-request-id', '\u00e9\u00e9'],
    ['if-none-match', '*'], ['expect', '100-continue'], ['x-correlation-id', 'c'.repeat(1000)], ['origin', 'http://evil.example'],
    ['transfer-encoding', 'identity'], ['x-lock-token', 'abc'], ['x-fencing-token', 'lock:-1'],
  ), { maxLength: 3 }),
  huge: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

const method = fc.constantFrom('GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS', 'PROPFIND', 'TRACE');

const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(method, fc.oneof({ weight: 12, arbitrary: path }, parserLevelPath), headers, fc.option(body, { freq: 3 }))
  .map(([m, p, h, b]) => {
    const list: [string, string][] = h.contentType.map((t) => ['content-type', t]);
    if (h.idempotencyKey !== null) list.push(['idempotency-key', h.idempotencyKey]);
    list.push(...h.extra.map(([n, v]) => [n, v] as [string, string]));
    // Headers beyond Node's 16 KiB limit are refused by its parser; below it they reach the application.
    if (h.huge) list.push(['x-padding', 'p'.repeat(20_000)]);
    // A transfer-encoding other than chunked is a framing error for the parser too.
    const framing = list.some(([n]) => n === 'transfer-encoding');
    const rawBytes = p.path.some((byte) => byte <= 0x20 || byte >= 0x7f);
    return { method: m, path: p.path, headers: list, body: b ?? undefined, parserLevel: p.parserLevel || rawBytes || h.huge || framing };
  });

/** A put the contract says must be taken: a valid namespace and key, a JSON value. */
const wellFormedPut = fc.tuple(fc.constantFrom('fz', 'fz-b'), fc.stringMatching(/^[a-z0-9/_-]{1,24}$/), fc.string({ maxLength: 64 }));

describe('HTTP fuzzing', () => {
  let service: RunningService;
  let port: number;
  beforeAll(async () => {
    service = await startService();
    port = Number(new URL(service.url).port);
  });
  afterAll(async () => {
    await service.close();
    removeDir(service.dataDir);
  });

  const head = async (): Promise<string> => {
    const ready = await fetch(`${service.url}/health/ready`);
    return ((await ready.json()) as { info: { store: { head: string } } }).info.store.head;
  };

  const describeRequest = (r: FuzzRequest, answer?: RawResponse) =>
    `${r.method} ${JSON.stringify(r.path.toString('latin1').slice(0, 200))} headers=${JSON.stringify(r.headers.map(([n, v]) => [n, v.slice(0, 60)]))} ` +
    `body=${r.body ? JSON.stringify(r.body.subarray(0, 120).toString('latin1')) + ` (${r.body.length} bytes)` : 'none'}` +
    (answer ? ` → ${answer.status} ${answer.headers['content-type']} ${answer.body.subarray(0, 300).toString('utf8')}` : '');

  it(`answers ${RUNS} odd requests without a 5xx, with problem documents, writing nothing when refusing, never stalling the loop`, async () => {
    const seed = seedOf();
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const statuses = new Map<number, number>();
    try {
      await fc.assert(
        fc.asyncProperty(fc.oneof({ weight: 9, arbitrary: fuzzRequest.map((r) => ({ fuzz: r })) }, wellFormedPut.map((p) => ({ put: p }))), async (input) => {
          if ('put' in input) {
            const [ns, k, v] = input.put;
            const body = Buffer.from(JSON.stringify({ value: v }));
            const put = await rawRequest(port, 'PUT', `/v1/namespaces/${ns}/entries/${k}`, [['content-type', 'application/json']], body);
            expect([200, 201]).toContain(put.status);
            const got = await rawRequest(port, 'GET', `/v1/namespaces/${ns}/entries/${k}`, []);
            expect(got.status).toBe(200);
            expect(JSON.parse(got.body.toString('utf8'))).toMatchObject({ namespace: ns, key: k, value: v });
            return;
          }
          const request = input.fuzz;
          const before = await head();
          const answer = await rawRequest(port, request.method, request.path, request.headers, request.body);
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          const what = describeRequest(request, answer);
          if (answer.status >= 500) throw new Error(`5xx: ${what}`);
          if (answer.status >= 400) {
            if (!(await head() === before)) throw new Error(`a refused request wrote to the log: ${what}`);
            // Refused by Node's HTTP parser before routing, a request still gets a problem document (400/431).
            if (request.parserLevel) expect([400, 431]).toContain(answer.status);
            if (request.method !== 'HEAD' || request.parserLevel) {
              if (!/^application\/problem\+json/.test(answer.headers['content-type'] ?? '')) throw new Error(`a 4xx without a problem document: ${what}`);
            }
            // An answer to HEAD has no body for the client to read, whatever the service sent.
            if (request.method !== 'HEAD') {
              const problem = JSON.parse(answer.body.toString('utf8'));
              if (typeof problem.code !== 'string' || problem.status !== answer.status) throw new Error(`a problem without its code or status: ${what}`);
            }
          }
          // Prototype keys are data, never the runtime's objects.
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        }),
        { numRuns: RUNS, seed, endOnFailure: true },
      );
    } finally {
      loop.disable();
    }
    const maxDelayMs = loop.max / 1e6;
    // What the run did, for the log of a long local run.
    if (process.env.RELIABILITY_VERBOSE) console.log(`fuzz: ${RUNS} runs, statuses ${JSON.stringify(Object.fromEntries(statuses))}, max loop delay ${maxDelayMs.toFixed(0)} ms`);
    expect(maxDelayMs).toBeLessThan(MAX_LOOP_DELAY_MS);
    expect([...statuses.keys()].some((s) => s >= 400)).toBe(true);
    // The read models still equal a rebuild of the log the run wrote.
    const listing = async () => (await fetch(`${service.url}/v1/namespaces`)).json();
    const before = await listing();
    expect((await fetch(`${service.url}/v1/admin/rebuild`, { method: 'POST', headers: { 'content-type': 'application/json' } })).status).toBeLessThan(300);
    expect(await listing()).toEqual(before);
  }, 150_000);
});
