import { PageCursors, pageByKey } from './page';

const items = ['a', 'b', 'c', 'd', 'e'].map((key) => ({ key }));
const cursors = new PageCursors(Buffer.alloc(32, 7));

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
    const first = pageByKey(items, { limit: 2 }, cursors);
    expect(first).toEqual({ items: [{ key: 'a' }, { key: 'b' }], nextCursor: cursors.forKey('b') });
    const second = pageByKey(items, { limit: 2, cursor: first.nextCursor! }, cursors);
    expect(second.items).toEqual([{ key: 'c' }, { key: 'd' }]);
    expect(pageByKey(items, { limit: 2, cursor: second.nextCursor! }, cursors)).toEqual({ items: [{ key: 'e' }], nextCursor: null });
    expect(pageByKey(items, { limit: 5 }, cursors)).toEqual({ items, nextCursor: null });
    expect(pageByKey(items, { cursor: cursors.forKey('z') }, cursors)).toEqual({ items: [], nextCursor: null });
  });

  it.each([0, 1001, 1.5])('refuses limit %d', (limit) => {
    expect(thrownBy(() => pageByKey(items, { limit }, cursors))).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('cursors', () => {
  it('round-trip, and refuse what this store did not issue', () => {
    expect(cursors.key(cursors.forKey('k/ü'))).toBe('k/ü');
    expect(cursors.revision(cursors.forRevision(7))).toBe(7);
    for (const bad of ['', 'nope', cursors.forRevision(7), Buffer.from('{"k":""}').toString('base64url')]) {
      expect(thrownBy(() => cursors.key(bad))).toMatchObject({ code: 'CURSOR_INVALID' });
    }
    expect(thrownBy(() => cursors.revision(cursors.forKey('a')))).toMatchObject({ code: 'CURSOR_INVALID' });
  });

  it('are opaque and URL-safe', () => {
    for (const cursor of [cursors.forKey('a b/ü?&=#'), cursors.forRevision(123456)]) expect(cursor).toMatch(/^[A-Za-z0-9_.-]+$/);
  });

  it('refuse a hand-made cursor, an altered one and one signed with another secret', () => {
    const issued = cursors.forKey('a');
    const [body, mac] = issued.split('.');
    const forged = [
      Buffer.from('{"k":"a"}').toString('base64url'),
      `${Buffer.from('{"k":"b"}').toString('base64url')}.${mac}`,
      `${body}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`,
      `${body}.`,
      `${body}.${mac}.`,
      new PageCursors(Buffer.alloc(32, 8)).forKey('a'),
    ];
    for (const cursor of forged) expect(thrownBy(() => cursors.key(cursor))).toMatchObject({ code: 'CURSOR_INVALID' });
    expect(new PageCursors(Buffer.alloc(32, 7)).key(issued)).toBe('a');
  });

  it('needs a secret of at least 32 bytes', () => {
    expect(() => new PageCursors(Buffer.alloc(31))).toThrow(/32 bytes/);
  });
});
