import { StoreError } from './errors';
import { compareKeys, prefixUpperBound, validateKey, validateNamespace } from './names';

/** The StoreError a call throws, or 'no error'. */
function thrown(call: () => unknown): StoreError | 'no error' {
  try {
    call();
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  return 'no error';
}

describe('validateNamespace', () => {
  it.each(['a', '7', 'a1', 'my-app.config_v2', 'a..b', 'a'.repeat(64)])('accepts %j', (name) => {
    expect(validateNamespace(name)).toBe(name);
  });

  it.each(['', 'A', 'App', '-a', 'a-', '.a', 'a_', 'a'.repeat(65), 'a/b', 'a b', 'ä', 'a\n'])('refuses %j', (name) => {
    const error = thrown(() => validateNamespace(name));
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'NAMESPACE_INVALID', details: { namespace: name } });
  });
});

describe('validateKey', () => {
  it.each(['a', '/', 'a/b/c', ' ', '~', '\u00a0', '\u2028', 'k'.repeat(1024), 'é'.repeat(512), '🙂'.repeat(256)])(
    'accepts %j',
    (key) => {
      expect(validateKey(key, 1024)).toBe(key);
    },
  );

  it.each([
    '',
    'k'.repeat(1025),
    'é'.repeat(512) + 'k',
    '🙂'.repeat(256) + 'k',
    '\u0000',
    'a\nb',
    '\t',
    '\u001f',
    '\u007f',
    '\u0080',
    '\u0085',
    '\u009f',
    '\ud800',
    'a\udfffb',
    '🙂'.slice(0, 1),
  ])('refuses %j', (key) => {
    const error = thrown(() => validateKey(key, 1024));
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'KEY_INVALID', details: { key: key.slice(0, 100) } });
  });

  it('uses the limit it is given', () => {
    expect(validateKey('abc', 3)).toBe('abc');
    expect(thrown(() => validateKey('abcd', 3))).toMatchObject({ code: 'KEY_INVALID' });
  });
});

describe('prefixUpperBound', () => {
  it.each([
    ['a', 'b'],
    ['ab', 'ac'],
    ['z', '{'],
    ['config/', 'config0'],
    ['\u007f', '\u0080'],
    ['é', 'ê'],
    ['\ud7ff', '\ue000'],
    ['a\ud7ff', 'a\ue000'],
    ['\uffff', '\u{10000}'],
    ['🙂', '🙃'],
    ['a\u{10ffff}', 'b'],
    ['ab\u{10ffff}\u{10ffff}', 'ac'],
  ])('%j -> %j', (prefix, bound) => {
    expect(prefixUpperBound(prefix)).toBe(bound);
  });

  it.each(['', '\u{10ffff}', '\u{10ffff}\u{10ffff}'])('%j has no upper bound', (prefix) => {
    expect(prefixUpperBound(prefix)).toBeUndefined();
  });

  describe('in UTF-8 byte order, over random strings', () => {
    const utf8Compare = (a: string, b: string) => Buffer.from(a, 'utf8').compare(Buffer.from(b, 'utf8'));
    // Deterministic (mulberry32), so a failure can be replayed.
    let seed = 0x5eed;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const below = (n: number) => Math.floor(random() * n);
    // Mostly code points at the edges where UTF-8 lengths and UTF-16 surrogates change.
    const EDGES = [0x00, 0x61, 0x62, 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x1f642, 0x10fffe, 0x10ffff];
    const codePoint = () => {
      if (random() < 0.8) return EDGES[below(EDGES.length)];
      const cp = below(0x110000);
      return cp >= 0xd800 && cp <= 0xdfff ? 0xe000 : cp;
    };
    const randomString = (maxLength: number) =>
      String.fromCodePoint(...Array.from({ length: below(maxLength + 1) }, codePoint));

    const cases = Array.from({ length: 400 }, () => {
      const prefix = randomString(3);
      const extension = prefix + randomString(4);
      // Shares part of the prefix, then goes its own way: often just above or below the prefix.
      const other = [...prefix].slice(0, below(prefix.length + 1)).join('') + randomString(3);
      return { prefix, extension, other };
    });

    it('p <= s < bound for every s that starts with p', () => {
      for (const { prefix, extension } of cases) {
        const bound = prefixUpperBound(prefix);
        expect(utf8Compare(prefix, extension)).toBeLessThanOrEqual(0);
        if (bound !== undefined) expect([prefix, extension, utf8Compare(extension, bound)]).toEqual([prefix, extension, -1]);
      }
    });

    it('every s >= p that does not start with p is >= bound (and there is none without a bound)', () => {
      const above = cases.filter(({ prefix, other }) => !other.startsWith(prefix) && utf8Compare(other, prefix) >= 0);
      expect(above.length).toBeGreaterThan(50);
      for (const { prefix, other } of above) {
        const bound = prefixUpperBound(prefix);
        expect([prefix, other, bound === undefined ? 'no bound' : utf8Compare(other, bound) >= 0]).toEqual([prefix, other, true]);
      }
    });
  });
});

describe('compareKeys', () => {
  it('orders by code point like the read models (UTF-8 bytes), not by UTF-16 unit', () => {
    const keys = ['\u{1F642}', '\uFFFD', 'b', 'a/b', 'a', '\uE000', 'ab'];
    expect([...keys].sort(compareKeys)).toEqual(['a', 'a/b', 'ab', 'b', '\uE000', '\uFFFD', '\u{1F642}']);
    expect(keys.map((k) => Buffer.from(k)).sort(Buffer.compare).map((b) => b.toString())).toEqual([...keys].sort(compareKeys));
  });
});
