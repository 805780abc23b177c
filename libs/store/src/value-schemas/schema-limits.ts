import { StoreError } from '../shared/errors';

/**
 * What a value schema may be. The schema is checked before it is compiled, so that no schema makes
 * a write slow: its size and nesting are bounded, its `$ref`s stay inside it and never loop (a loop
 * can make validation recurse as deep as the value, or branch at each level), and the schema as
 * its refs expand it has a bounded number of parts (refs shared by `anyOf` branches can otherwise
 * double the work at each step).
 */
export interface SchemaLimits {
  /** Bytes of the schema's canonical JSON. */
  readonly maxBytes: number;
  /** Nesting of objects and arrays. */
  readonly maxDepth: number;
  /** Objects and arrays of the schema counted with every `$ref` expanded in place. */
  readonly maxExpandedNodes: number;
}

export const SCHEMA_LIMITS: SchemaLimits = { maxBytes: 64 * 1024, maxDepth: 24, maxExpandedNodes: 10_000 };

const tooComplex = (message: string, details: Record<string, unknown>) => new StoreError('SCHEMA_TOO_COMPLEX', message, details);
export const schemaInvalid = (message: string, details: Record<string, unknown> = {}) => new StoreError('SCHEMA_INVALID', message, details);

const SCALAR_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'null']);
const REFUSED_KEYWORDS = ['$dynamicRef', '$recursiveRef'];

/** Refuses what a schema may not be (see SchemaLimits); `canonical` is its canonical JSON. */
export function checkSchemaShape(schema: unknown, canonical: string, limits: SchemaLimits = SCHEMA_LIMITS): void {
  if (typeof schema !== 'boolean' && !isPlainObject(schema)) throw schemaInvalid('schema is a JSON Schema: an object or a boolean');
  const bytes = Buffer.byteLength(canonical);
  if (bytes > limits.maxBytes) {
    throw tooComplex(`a schema is at most ${limits.maxBytes} bytes of JSON (got ${bytes})`, { limit: 'maxBytes', max: limits.maxBytes, actual: bytes });
  }
  checkNode(schema, 0, '', limits);
  let expanded = 0;
  const expand = (node: unknown, refs: readonly string[]): void => {
    if (typeof node !== 'object' || node === null) return;
    if (++expanded > limits.maxExpandedNodes) {
      throw tooComplex(`a schema expands (its $refs followed) to at most ${limits.maxExpandedNodes} parts`, {
        limit: 'maxExpandedNodes', max: limits.maxExpandedNodes,
      });
    }
    for (const [field, value] of Object.entries(node)) {
      if (field === '$ref' && typeof value === 'string') {
        if (refs.includes(value)) throw schemaInvalid(`$ref ${JSON.stringify(value)} refers back to itself: recursive schemas are not supported`, { ref: value });
        expand(resolveLocal(schema, value), [...refs, value]);
      } else {
        expand(value, refs);
      }
    }
  };
  expand(schema, []);
}

function checkNode(node: unknown, depth: number, path: string, limits: SchemaLimits): void {
  if (typeof node !== 'object' || node === null) return;
  if (depth >= limits.maxDepth) {
    throw tooComplex(`a schema nests objects and arrays at most ${limits.maxDepth} deep`, { limit: 'maxDepth', max: limits.maxDepth, path });
  }
  if (!Array.isArray(node)) {
    const fields = node as Record<string, unknown>;
    for (const keyword of REFUSED_KEYWORDS) {
      if (keyword in fields) throw schemaInvalid(`${keyword} is not supported`, { path, keyword });
    }
    if (typeof fields.$ref === 'string' && !/^#(\/|$)/.test(fields.$ref)) {
      throw schemaInvalid('$ref points inside the schema: "#" or "#/…" (no other documents, no anchors)', { path, ref: fields.$ref.slice(0, 200) });
    }
    if (fields.uniqueItems === true && !hasScalarItems(fields.items)) {
      throw schemaInvalid('uniqueItems needs "items" with a scalar "type" (else every pair of items would be compared)', { path });
    }
  }
  for (const [field, value] of Object.entries(node)) checkNode(value, depth + 1, `${path}/${field}`, limits);
}

function hasScalarItems(items: unknown): boolean {
  if (!isPlainObject(items)) return false;
  const types = Array.isArray(items.type) ? items.type : [items.type];
  return types.length > 0 && types.every((t) => typeof t === 'string' && SCALAR_TYPES.has(t));
}

/** The part of `root` a local `$ref` names; undefined when it names nothing (the compiler then refuses it). */
function resolveLocal(root: unknown, ref: string): unknown {
  const tokens = ref.slice(1).split('/').slice(1).map((t) => decodeURIComponent(t).replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = root;
  for (const token of tokens) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, token)) return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
