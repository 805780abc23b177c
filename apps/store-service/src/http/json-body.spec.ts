import { DEFAULT_LIMITS } from '@app/store';
import { checkMetadataShape, hasObjectWiderThan, nestsDeeperThan } from './json-body';

describe('nestsDeeperThan', () => {
  it.each([
    ['{}', 1, false],
    ['{}', 0, true],
    ['[[[]]]', 3, false],
    ['[[[]]]', 2, true],
    ['{"a":[{"b":[]}]}', 4, false],
    ['{"a":[{"b":[]}]}', 3, true],
    ['"[[[[[["', 1, false],
    ['{"a":"\\"[[[[["}', 1, false],
    ['{"a":"\\\\"}', 1, false],
    ['{"a":"\\\\","b":[[]]}', 2, true],
    ['[][][][]', 1, false],
  ])('%s with at most %i levels: %s', (text, max, deeper) => {
    expect(nestsDeeperThan(text, max)).toBe(deeper);
  });

  it('scans millions of levels without recursion', () => {
    expect(nestsDeeperThan('['.repeat(3_000_000), 32)).toBe(true);
  });
});

describe('checkMetadataShape', () => {
  const pairs = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));

  it('passes bodies without metadata and metadata of at most 64 string pairs', () => {
    expect(() => checkMetadataShape(undefined, DEFAULT_LIMITS)).not.toThrow();
    expect(() => checkMetadataShape({ value: 'v' }, DEFAULT_LIMITS)).not.toThrow();
    expect(() => checkMetadataShape({ metadata: pairs(64) }, DEFAULT_LIMITS)).not.toThrow();
    expect(() => checkMetadataShape({ ops: [{ metadata: pairs(64) }] }, DEFAULT_LIMITS)).not.toThrow();
  });

  it.each([
    ['65 pairs', { metadata: pairs(65) }, { code: 'VALIDATION_FAILED', details: { field: 'metadata' } }],
    ['a number value', { metadata: { a: 1 } }, { code: 'VALIDATION_FAILED', details: { field: 'metadata' } }],
    ['an array', { metadata: ['a'] }, { code: 'VALIDATION_FAILED', details: { field: 'metadata' } }],
    ['65 pairs in op 1', { ops: [{}, { metadata: pairs(65) }] }, { code: 'VALIDATION_FAILED', details: { field: 'ops.1.metadata', opIndex: 1 } }],
    ['129 ops', { ops: Array.from({ length: 129 }, () => ({})) }, { code: 'TRANSACTION_TOO_LARGE' }],
  ])('refuses metadata: %s', (_title, body, expected) => {
    expect(() => checkMetadataShape(body, DEFAULT_LIMITS)).toThrow(expect.objectContaining(expected));
  });
});

describe('hasObjectWiderThan', () => {
  const wide = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

  it('finds an object past the limit at any depth, in arrays too', () => {
    expect(hasObjectWiderThan(wide(3), 3)).toBe(false);
    expect(hasObjectWiderThan(wide(4), 3)).toBe(true);
    expect(hasObjectWiderThan({ a: [{ b: { c: wide(4) } }] }, 3)).toBe(true);
    expect(hasObjectWiderThan({ a: [{ b: { c: wide(3) } }], d: [1, 2, 3, 4, 5] }, 3)).toBe(false);
    expect(hasObjectWiderThan('text', 0)).toBe(false);
  });
});
