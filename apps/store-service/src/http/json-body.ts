import { invalid, StoreError, StoreLimits } from '@app/store';
import type { FastifyInstance } from 'fastify';

/** Deepest nesting of arrays and objects a JSON body may have (the v1 bodies need 4). */
export const MAX_JSON_DEPTH = 32;

/** Most members of one JSON object in a body (metadata has its own, lower limit). */
export const MAX_JSON_MEMBERS = 1024;

const OPEN_OBJECT = 0x7b; // {
const OPEN_ARRAY = 0x5b; // [
const CLOSE_OBJECT = 0x7d; // }
const CLOSE_ARRAY = 0x5d; // ]
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/**
 * Whether the JSON text nests arrays and objects deeper than `maxDepth`: one pass over the text,
 * no recursion, before anything parses it (brackets inside strings are text). Malformed JSON is
 * left to the parser to refuse.
 */
export function nestsDeeperThan(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > maxDepth) return true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

/** Whether `value` has more than `max` own enumerable keys, counting no further than max + 1. */
function hasMoreKeysThan(value: object, max: number): boolean {
  let count = 0;
  for (const _ in value) if (++count > max) return true;
  return false;
}

function metadataProblem(metadata: unknown, limits: StoreLimits): string | undefined {
  if (metadata === undefined) return undefined;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return 'metadata must be an object of string pairs';
  if (hasMoreKeysThan(metadata, limits.maxMetadataPairs)) return `metadata has at most ${limits.maxMetadataPairs} pairs`;
  for (const [name, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') return `metadata ${JSON.stringify(name.slice(0, 64))}: values are strings`;
  }
  return undefined;
}

/** Whether some object in `body` has more than `max` members: an iterative walk, no recursion. */
export function hasObjectWiderThan(body: unknown, max: number): boolean {
  const pending: unknown[] = [body];
  while (pending.length > 0) {
    const value = pending.pop();
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === 'object') pending.push(item);
      continue;
    }
    if (hasMoreKeysThan(value, max)) return true;
    for (const key in value) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== null && typeof member === 'object') pending.push(member);
    }
  }
  return false;
}

/**
 * The metadata of a body (an entry's, or each op's of a transaction) checked for its shape and
 * its number of pairs before the DTO validation, whose cost grows faster than the pairs do.
 */
export function checkMetadataShape(body: unknown, limits: StoreLimits): void {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
  const own = metadataProblem((body as { metadata?: unknown }).metadata, limits);
  if (own) throw invalid(own, { field: 'metadata' });
  const ops = (body as { ops?: unknown }).ops;
  if (!Array.isArray(ops)) return;
  if (ops.length > limits.maxTransactionOps) {
    throw new StoreError('TRANSACTION_TOO_LARGE', `a transaction has at most ${limits.maxTransactionOps} ops (got ${ops.length})`);
  }
  ops.forEach((op: unknown, opIndex) => {
    if (op === null || typeof op !== 'object') return;
    const problem = metadataProblem((op as { metadata?: unknown }).metadata, limits);
    if (problem) throw invalid(`op ${opIndex}: ${problem}`, { field: `ops.${opIndex}.metadata`, opIndex });
  });
}

/**
 * JSON bodies: Fastify's own parser (secure-json-parse, prototype poisoning refused), after a
 * linear scan refuses nesting deeper than MAX_JSON_DEPTH, and followed by the metadata check and
 * a cap on the members of any object (both cheap, and before the DTO validation, which is not).
 */
export function acceptJsonBodies(fastify: FastifyInstance, limits: StoreLimits): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    // An empty body (sent chunked, say) is no body: the POSTs that take none say application/json.
    if (text.length === 0) return done(null, undefined);
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      return done(invalid(`the JSON body nests arrays and objects deeper than ${MAX_JSON_DEPTH} levels`, { maxDepth: MAX_JSON_DEPTH }), undefined);
    }
    parse(request, text, (error, parsed) => {
      if (error) return done(error, undefined);
      try {
        checkMetadataShape(parsed, limits);
        if (hasObjectWiderThan(parsed, MAX_JSON_MEMBERS)) {
          throw invalid(`a JSON object in the body has more than ${MAX_JSON_MEMBERS} members`, { maxMembers: MAX_JSON_MEMBERS });
        }
      } catch (refusal) {
        return done(refusal as Error, undefined);
      }
      done(null, parsed);
    });
  });
}
