import { decodeKeyCursor, decodeRevisionCursor, encodeKeyCursor, encodeRevisionCursor, pageByKey } from './page';

const items = ['a', 'b', 'c', 'd', 'e'].map((key) => ({ key }));

describe('pageByKey', () => {
  it('pages in order and ends with a null cursor', () => {
    const first = pageByKey(items, { limit: 2 });
    expect(first).toEqual({ items: [{ key: 'a' }, { key: 'b' }], nextCursor: encodeKeyCursor('b') });
    const second = pageByKey(items, { limit: 2, cursor: first.nextCursor! });
    expect(second.items).toEqual([{ key: 'c' }, { key: 'd' }]);
    expect(pageByKey(items, { limit: 2, cursor: second.nextCursor! })).toEqual({ items: [{ key: 'e' }], nextCursor: null });
    expect(pageByKey(items, { limit: 5 })).toEqual({ items, nextCursor: null });
    expect(pageByKey(items, { cursor: encodeKeyCursor('z') })).toEqual({ items: [], nextCursor: null });
  });

  it.each([0, 1001, 1.5])('refuses limit %d', (limit) => {
    expect(() => pageByKey(items, { limit })).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }) as unknown as Error);
  });
});

describe('cursors', () => {
  it('round-trip, and refuse what this store did not issue', () => {
    expect(decodeKeyCursor(encodeKeyCursor('k/ü'))).toBe('k/ü');
    expect(decodeRevisionCursor(encodeRevisionCursor(7))).toBe(7);
    for (const bad of ['', 'nope', encodeRevisionCursor(7), Buffer.from('{"k":""}').toString('base64url')]) {
      expect(() => decodeKeyCursor(bad)).toThrow(expect.objectContaining({ code: 'CURSOR_INVALID' }) as unknown as Error);
    }
    expect(() => decodeRevisionCursor(encodeKeyCursor('a'))).toThrow(expect.objectContaining({ code: 'CURSOR_INVALID' }) as unknown as Error);
  });
});
