import { applyDecorators, INestApplication } from '@nestjs/common';
import { ApiHeader, ApiResponse, DocumentBuilder, getSchemaPath, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { Problem, statusOf } from './problem';
import { ProblemDto } from './responses.dto';

export type ProblemCode = Problem['code'];

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** Refusals and failures shared by groups of calls, spread into `@ApiProblems(…)`. */
export const PROBLEMS = {
  /** Any call: an unexpected failure; the store's backend out of reach. */
  any: ['INTERNAL', 'BACKEND_UNAVAILABLE'],
  /** Reads that take `minPosition` / `X-Min-Position`. */
  readYourWrites: ['VALIDATION_FAILED', 'CURSOR_INVALID', 'CURSOR_STALE', 'READ_TIMEOUT'],
  /** Every write: a bad or reused Idempotency-Key, an oversized body or append, a full disk, (eventstoredb) a write not confirmed in time. */
  write: ['VALIDATION_FAILED', 'IDEMPOTENCY_KEY_REUSED', 'PAYLOAD_TOO_LARGE', 'STORAGE_FULL', 'READ_TIMEOUT'],
  /** Writes to a namespace: frozen without its token; fenced by a newer grant. */
  namespaceWrite: ['LOCKED', 'FENCED', 'LOCK_TOKEN_INVALID'],
  /** Calls with a JSON body. */
  jsonBody: ['VALIDATION_FAILED', 'UNSUPPORTED_MEDIA_TYPE'],
} satisfies Record<string, ProblemCode[]>;

/** The `application/problem+json` answers for these codes, one per status, each naming its codes. */
export function problemResponses(codes: readonly ProblemCode[]): Record<string, { description: string; content: Record<string, { schema: object }> }> {
  const byStatus = new Map<number, Set<ProblemCode>>();
  for (const code of codes) {
    const status = statusOf(code);
    byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
  }
  const responses: Record<string, { description: string; content: Record<string, { schema: object }> }> = {};
  for (const [status, set] of [...byStatus].sort(([a], [b]) => a - b)) {
    const list = [...set].sort();
    responses[String(status)] = {
      description: `Problem: ${list.join(', ')}`,
      content: {
        [PROBLEM_MEDIA_TYPE]: {
          schema: { allOf: [{ $ref: getSchemaPath(ProblemDto) }, { type: 'object', properties: { code: { enum: list } } }] },
        },
      },
    };
  }
  return responses;
}

/** Documents the problem documents a call can answer: exactly these codes. */
export const ApiOnlyProblems = (...codes: ProblemCode[]) =>
  applyDecorators(
    ...Object.entries(problemResponses(codes)).map(([status, response]) => ApiResponse({ status: Number(status), ...response })),
  );

/** Documents the problem documents a call of the store can answer: these codes and `PROBLEMS.any`. */
export const ApiProblems = (...codes: ProblemCode[]) => ApiOnlyProblems(...PROBLEMS.any, ...codes);

const WRITE_HEADERS = [
  {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    description: 'A retry with the same key and request is applied once and answered the same; the same key with another request: 422 IDEMPOTENCY_KEY_REUSED',
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
  },
  {
    name: 'X-Correlation-Id',
    in: 'header',
    required: false,
    description: "Recorded in the events' metadata (default: the request id)",
    schema: { type: 'string' },
  },
];

const LOCK_HEADERS = [
  {
    name: 'X-Lock-Token',
    in: 'header',
    required: false,
    description: 'The token of the namespace\'s freeze (POST /v1/namespaces/{ns}/lock): without it a write to a frozen namespace is 423 LOCKED',
    schema: { type: 'string', pattern: '^[1-9][0-9]{0,15}$' },
  },
  {
    name: 'X-Fencing-Token',
    in: 'header',
    required: false,
    description: '`<lock>:<token>`: the write is refused with 409 FENCED (nothing written) once that lock was granted a higher token',
    schema: { type: 'string' },
  },
];

/** A write to a lock: its X-Correlation-Id header and the problems every write can answer, plus `codes`. */
export const ApiLockWrite = (...codes: ProblemCode[]) =>
  applyDecorators(
    ...WRITE_HEADERS.slice(1).map(({ name, required, description, schema }) => ApiHeader({ name, required, description, schema })),
    ApiProblems(...PROBLEMS.write, ...codes),
  );

/** A write: its Idempotency-Key and X-Correlation-Id headers and the problems every write can answer, plus `codes`. */
export const ApiWrite = (...codes: ProblemCode[]) =>
  applyDecorators(
    ...[...WRITE_HEADERS, ...LOCK_HEADERS].map(({ name, required, description, schema }) => ApiHeader({ name, required, description, schema })),
    ApiProblems(...PROBLEMS.write, ...PROBLEMS.namespaceWrite, ...codes),
  );

type Schema = Record<string, unknown>;
type Operation = Record<string, unknown> & { parameters?: Schema[]; responses?: Record<string, Schema> };
type PathItem = Record<string, Operation>;

const ENTRY_WILDCARD = '/v1/namespaces/{ns}/entries/{path}';
const ENTRY = '/v1/namespaces/{ns}/entries/{key}';

export const KEY_PARAMETER = {
  name: 'key',
  in: 'path',
  required: true,
  description:
    'The key: 1-1024 bytes of UTF-8 without control characters. It is the rest of the path after `entries/` and may hold `/`, ' +
    'sent as is (`plans/pro`) or percent-encoded (`plans%2Fpro`: the same key). A key whose last segment is `ttl`, `history`, ' +
    '`restore` or `purge` is sent with its last `/` as `%2F` (`jobs%2Fhistory` is the key `jobs/history`), so that it is not ' +
    'taken for a sub-resource. (The router has one wildcard route per method, `/v1/namespaces/:ns/entries/*`; the sub-resources ' +
    'are recognised in the raw URL.)',
  schema: { type: 'string', minLength: 1 },
  example: 'plans/pro',
};

const ref = (schema: string) => ({ $ref: `#/components/schemas/${schema}` });
const json = (schema: string, description: string) => ({ description, content: { 'application/json': { schema: ref(schema) } } });
const namespaceParameter = { name: 'ns', in: 'path', required: true, description: 'The namespace', schema: { type: 'string' } };
const pageParameters = [
  { name: 'limit', in: 'query', required: false, description: 'Items per page: default 100, max 1000', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
  { name: 'cursor', in: 'query', required: false, description: 'The `nextCursor` of the previous page', schema: { type: 'string' } },
];
const ENTRY_PROBLEMS: ProblemCode[] = ['NAMESPACE_INVALID', 'KEY_INVALID', 'ENTRY_NOT_FOUND'];

/**
 * The sub-resources of an entry. The router takes them through the entry's wildcard route (see
 * entry-path.ts); the document gives each its own operation.
 */
function entrySubResources(): Record<string, PathItem> {
  const operation = (operationId: string, summary: string, rest: Operation, write = true): Operation => ({
    operationId,
    summary,
    tags: ['entries'],
    ...rest,
    parameters: [namespaceParameter, KEY_PARAMETER, ...(rest.parameters ?? []), ...(write ? [...WRITE_HEADERS, ...LOCK_HEADERS] : [])],
  });
  return {
    [`${ENTRY}/history`]: {
      get: operation('EntriesController_history', 'EntryHistory: every change of the key, oldest first, paged', {
        parameters: pageParameters,
        responses: {
          200: json('HistoryPage', 'The events of the key, oldest first'),
          ...problemResponses([...PROBLEMS.any, ...ENTRY_PROBLEMS, 'NAMESPACE_NOT_FOUND', 'VALIDATION_FAILED', 'CURSOR_INVALID']),
        },
      }, false),
    },
    [`${ENTRY}/ttl`]: {
      put: operation('EntriesController_setTtl', 'SetTTL: a new expiry counted from now (1 s … 10 years); null clears it', {
        requestBody: { required: true, content: { 'application/json': { schema: ref('SetTtlDto') } } },
        responses: {
          200: json('KeyWriteResult', 'The entry as reads now see it; its version moved on'),
          ...problemResponses([...PROBLEMS.any, ...PROBLEMS.write, ...PROBLEMS.namespaceWrite, ...PROBLEMS.jsonBody, ...ENTRY_PROBLEMS, 'VERSION_CONFLICT']),
        },
      }),
    },
    [`${ENTRY}/restore`]: {
      post: operation('EntriesController_restore', 'RestoreEntry: a deleted entry back with its last value, metadata and expiry; the version continues', {
        responses: {
          200: json('KeyWriteResult', 'The restored entry'),
          ...problemResponses([...PROBLEMS.any, ...PROBLEMS.write, ...PROBLEMS.namespaceWrite, ...ENTRY_PROBLEMS, 'ENTRY_NOT_DELETED', 'QUOTA_EXCEEDED']),
        },
      }),
    },
    [`${ENTRY}/purge`]: {
      post: operation('EntriesController_purge', 'PurgeEntry: ends restorability (a live entry is deleted and purged); the log keeps its history', {
        responses: {
          200: json('PurgeResult', 'The version purged and where the purge landed'),
          ...problemResponses([...PROBLEMS.any, ...PROBLEMS.write, ...PROBLEMS.namespaceWrite, ...ENTRY_PROBLEMS]),
        },
      }),
    },
  };
}

/** The entry's own operations under `{key}` instead of the wildcard's `{path}` / `*`. */
function entryOperations(wildcard: PathItem): PathItem {
  const item: PathItem = {};
  for (const [method, operation] of Object.entries(wildcard)) {
    const parameters = (operation.parameters ?? []).map((p) => (p.in === 'path' && p.name !== 'ns' ? KEY_PARAMETER : p));
    item[method] = { ...operation, parameters };
  }
  return item;
}

/** OpenAPI 3.0's `nullable` as OpenAPI 3.1 (JSON Schema 2020-12) spells it. */
function toJsonSchema2020(node: unknown): void {
  if (Array.isArray(node)) return node.forEach(toJsonSchema2020);
  if (node === null || typeof node !== 'object') return;
  const schema = node as Schema;
  if (schema.nullable === true) {
    if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
    else if (Array.isArray(schema.type)) schema.type = [...new Set([...schema.type, 'null'])];
    else {
      const copy = { ...schema };
      delete copy.nullable;
      for (const key of Object.keys(schema)) delete schema[key];
      schema.oneOf = [copy, { type: 'null' }];
    }
    if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
  }
  delete schema.nullable;
  Object.values(schema).forEach(toJsonSchema2020);
}

/** The problem codes an answer documents (the `code` enum of problemResponses). */
function documentedCodes(response: Schema | undefined): ProblemCode[] {
  const schema = (response?.content as Record<string, { schema?: { allOf?: Schema[] } }> | undefined)?.[PROBLEM_MEDIA_TYPE]?.schema;
  const code = (schema?.allOf?.[1]?.properties as Record<string, { enum?: ProblemCode[] }> | undefined)?.code;
  return code?.enum ?? [];
}

/** The operation's answers with these codes added: a status it documents already names its own codes and these. */
function withProblems(responses: Record<string, Schema>, codes: readonly ProblemCode[]): Record<string, Schema> {
  const added = problemResponses(codes);
  const merged: Record<string, Schema> = { ...added, ...responses };
  for (const status of Object.keys(added)) {
    const own = documentedCodes(responses[status]);
    if (own.length > 0) merged[status] = problemResponses([...new Set([...own, ...documentedCodes(added[status])])])[status];
  }
  return merged;
}
/** Calls that check a grant or the admin role: all of /v1 but whoami and the store-wide feed (which filters instead). */
export const mayBeForbidden = (path: string): boolean => path.startsWith('/v1/') && path !== '/v1/whoami' && path !== '/v1/feed';

/**
 * What the decorators cannot say, said after the scan: entry sub-resources, the 500 every call can
 * answer, the Problem schema's extensions, OpenAPI 3.1.
 */
export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  const paths = document.paths as Record<string, PathItem>;
  const wildcard = paths[ENTRY_WILDCARD];
  if (wildcard === undefined) throw new Error(`OpenAPI: no operations at ${ENTRY_WILDCARD}`);
  const completed: Record<string, PathItem> = {};
  for (const [path, item] of Object.entries(paths)) {
    if (path !== ENTRY_WILDCARD) completed[path] = item;
    else Object.assign(completed, { [ENTRY]: entryOperations(item) }, entrySubResources());
  }
  const schemas = document.components!.schemas as Record<string, Schema>;
  // RFC 9457: a problem document may carry extension members (allow, opIndex, key, namespaces, …).
  schemas.Problem = { ...schemas.Problem, additionalProperties: true };
  // Whatever a call is, an unexpected failure is answered as a problem document (ProblemFilter), a
  // Host the service does not answer to is refused, and a POST must say it sends JSON (request-guards.ts).
  // With STORE_AUTH=on every call but /health/* needs a bearer credential (http/authentication.ts),
  // and every namespace, consumer and admin call a grant or the admin role (FORBIDDEN);
  // with RATE_LIMIT_REQUESTS set, every call but /health/* counts against its caller's limit (http/rate-limit.ts).
  for (const [path, item] of Object.entries(completed)) {
    const open = path.startsWith('/health/');
    for (const [method, operation] of Object.entries(item)) {
      const guarded: ProblemCode[] = ['INTERNAL', 'HOST_NOT_ALLOWED', ...(method === 'post' ? ['UNSUPPORTED_MEDIA_TYPE' as const] : []),
        ...(open ? [] : ['UNAUTHORIZED' as const, 'RATE_LIMITED' as const]), ...(mayBeForbidden(path) ? ['FORBIDDEN' as const] : [])];
      operation.responses = withProblems(operation.responses ?? {}, guarded);
      if (open) operation.security = [];
    }
  }
  const result = { ...document, openapi: '3.1.0', paths: completed } as OpenAPIObject;
  toJsonSchema2020(result.paths);
  toJsonSchema2020(result.components);
  return result;
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('HexaStore')
    .setDescription(
      'Event-sourced key-value store: namespaced entries, transactions, history, a change feed. ' +
        'Errors are `application/problem+json` (RFC 9457) with a stable `code`. Every write accepts an `Idempotency-Key` header; ' +
        'every response carries `X-Request-Id`.',
    )
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'With STORE_AUTH=on: an API key `<id>.<secret>` declared in the STORE_CONFIG file, or a JWT (HS256, RS256 or ES256 as configured). ' +
        'Missing or not valid: 401 UNAUTHORIZED with `WWW-Authenticate: Bearer`. /health/* needs none.',
    }, 'bearer')
    .addSecurityRequirements('bearer')
    .build();
  return completeDocument(SwaggerModule.createDocument(app, config, { extraModels: [ProblemDto] }));
}
