import { StoreError } from '../shared/errors';
import { canonicalJson, CompiledValueSchemas } from './value-schema-compiler';

const refusal = (schema: unknown, schemas = new CompiledValueSchemas()): string => {
  try {
    schemas.check(schema);
  } catch (error) {
    if (error instanceof StoreError) return error.code;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(schema)}`);
};

describe('value schemas: compiling', () => {
  const PRICE = { type: 'object', required: ['price'], properties: { price: { type: 'number', minimum: 0 } }, additionalProperties: false };

  it('names a schema by the SHA-256 of its canonical JSON, whatever the order of its fields', () => {
    const schemas = new CompiledValueSchemas();
    const a = schemas.check(PRICE);
    const b = schemas.check({ additionalProperties: false, properties: { price: { minimum: 0, type: 'number' } }, required: ['price'], type: 'object' });
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.sha256).toBe(a.sha256);
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });

  it('reports where a value fails, as JSON Pointers', () => {
    const schemas = new CompiledValueSchemas();
    const validate = schemas.validatorFor(schemas.check(PRICE));
    expect(validate({ price: 3 })).toEqual([]);
    expect(validate({ price: -1, extra: true })).toEqual(expect.arrayContaining([
      { path: '/price', message: 'must be >= 0' },
      { path: '', message: 'must NOT have additional properties ("extra")' },
    ]));
    expect(validate('text')).toEqual([{ path: '', message: 'must be object' }]);
  });

  it('compiles a schema once and serves the compiled validator from its SHA-256', () => {
    const schemas = new CompiledValueSchemas();
    const checked = schemas.check(PRICE);
    expect(schemas.validatorFor(checked)).toBe(schemas.validatorFor({ ...checked }));
  });

  it('refuses schemas that do not compile or use what is not supported (SCHEMA_INVALID)', () => {
    expect(refusal({ type: 'nope' })).toBe('SCHEMA_INVALID');
    expect(refusal({ typo: 'string' })).toBe('SCHEMA_INVALID');
    expect(refusal(5)).toBe('SCHEMA_INVALID');
    expect(refusal(null)).toBe('SCHEMA_INVALID');
    expect(refusal({ $schema: 'http://json-schema.org/draft-07/schema#' })).toBe('SCHEMA_INVALID');
    expect(refusal({ $ref: 'https://example.com/other.json' })).toBe('SCHEMA_INVALID');
    expect(refusal({ $ref: '#/$defs/missing' })).toBe('SCHEMA_INVALID');
    expect(refusal({ $defs: { a: { items: { $ref: '#/$defs/a' } } }, $ref: '#/$defs/a' })).toBe('SCHEMA_INVALID');
    expect(refusal({ $dynamicRef: '#meta' })).toBe('SCHEMA_INVALID');
    expect(refusal({ type: 'array', uniqueItems: true })).toBe('SCHEMA_INVALID');
    expect(refusal({ type: 'string', pattern: '(a)\\1' })).toBe('SCHEMA_INVALID');
    expect(refusal({ type: 'string', pattern: '(?=a)a' })).toBe('SCHEMA_INVALID');
  });

  it('refuses schemas too large, too deep or that expand too far (SCHEMA_TOO_COMPLEX)', () => {
    expect(refusal({ enum: Array.from({ length: 20_000 }, (_, i) => i) })).toBe('SCHEMA_TOO_COMPLEX');
    let deep: object = { type: 'string' };
    for (let i = 0; i < 40; i++) deep = { items: deep };
    expect(refusal(deep)).toBe('SCHEMA_TOO_COMPLEX');
    const $defs: Record<string, object> = { d30: { type: 'string' } };
    for (let i = 0; i < 30; i++) $defs[`d${i}`] = { anyOf: [{ $ref: `#/$defs/d${i + 1}` }, { $ref: `#/$defs/d${i + 1}` }] };
    expect(refusal({ $defs, $ref: '#/$defs/d0' })).toBe('SCHEMA_TOO_COMPLEX');
  });

  it('accepts what is well-kept: $defs with local refs, unique scalars, formats as annotations, a root $id twice', () => {
    const schemas = new CompiledValueSchemas();
    const tags = schemas.check({ $id: 'https://example.com/tags.json', type: 'array', uniqueItems: true, items: { type: 'string' } });
    expect(schemas.validatorFor(tags)(['a', 'a'])).toHaveLength(1);
    schemas.check({ $id: 'https://example.com/tags.json', type: 'array', items: { type: 'number' } });
    const refs = schemas.check({ $defs: { p: { type: 'number' } }, properties: { a: { $ref: '#/$defs/p' }, b: { $ref: '#/$defs/p' } } });
    expect(schemas.validatorFor(refs)({ a: 1, b: 'x' })).toEqual([{ path: '/b', message: 'must be number' }]);
    expect(schemas.validatorFor(schemas.check({ type: 'string', format: 'email' }))('not an email')).toEqual([]);
  });

  it('runs patterns in linear time: a catastrophic pattern on a long value answers at once', () => {
    const schemas = new CompiledValueSchemas();
    const evil = schemas.validatorFor(schemas.check({ type: 'string', pattern: '^(a+)+$' }));
    expect(evil('a'.repeat(100_000) + '!')).toEqual([{ path: '', message: 'must match pattern "^(a+)+$"' }]);
    expect(evil('aaaa')).toEqual([]);
    const keys = schemas.validatorFor(schemas.check({ type: 'object', patternProperties: { '^(x+x+)+y$': { type: 'number' } } }));
    expect(keys({ [`${'x'.repeat(50_000)}y`]: 'no' })).toHaveLength(1);
  });
});
