import { decodeKeyCursor, decodeRevisionCursor, encodeKeyCursor, encodeRevisionCursor, pageByKey } from './page';

const items = ['a', 'b', 'c', 'd', 'e'].map((key) => ({ key }));

/** What `run` threw; fails the test when it returns. */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
}

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
    expect(thrownBy(() => pageByKey(items, { limit }))).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('cursors', () => {
  it('round-trip, and refuse what this store did not issue', () => {
    expect(decodeKeyCursor(encodeKeyCursor('k/ü'))).toBe('k/ü');
    expect(decodeRevisionCursor(encodeRevisionCursor(7))).toBe(7);
    for (const bad of ['', 'nope', encodeRevisionCursor(7), Buffer.from('{"k":""}').toString('base64url')]) {
      expect(thrownBy(() => decodeKeyCursor(bad))).toMatchObject({ code: 'CURSOR_INVALID' });
    }
    expect(thrownBy(() => decodeRevisionCursor(encodeKeyCursor('a')))).toMatchObject({ code: 'CURSOR_INVALID' });
  });
});
