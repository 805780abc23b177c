import { SseParser } from './sse';

describe('SseParser', () => {
  it('parses events with id, event and data, and blocks of comments', () => {
    const parser = new SseParser();
    expect(parser.push(': connected\nretry: 1000\n\nid: ab:1\nevent: StoreEntryCreated\ndata: {"key":"k"}\n\n: heartbeat\n\n')).toEqual([
      { comments: ['connected'] },
      { id: 'ab:1', event: 'StoreEntryCreated', data: '{"key":"k"}', comments: [] },
      { comments: ['heartbeat'] },
    ]);
  });

  it('completes messages split anywhere across chunks, also inside a CRLF', () => {
    const text = 'id: p:1\r\ndata: one\r\n\r\nid: p:2\rdata: two\r\rid: p:3\ndata: three\n\n';
    for (let size = 1; size <= text.length; size++) {
      const parser = new SseParser();
      const messages = [];
      for (let at = 0; at < text.length; at += size) messages.push(...parser.push(text.slice(at, at + size)));
      expect([size, messages.map((m) => [m.id, m.data])]).toEqual([size, [['p:1', 'one'], ['p:2', 'two'], ['p:3', 'three']]]);
    }
  });

  it('joins data lines with newlines, keeps colons in values and strips only one leading space', () => {
    expect(new SseParser().push('data:a\ndata:  b: c\ndata\n\n')).toEqual([{ id: undefined, event: undefined, data: 'a\n b: c\n', comments: [] }]);
  });

  it('keeps an unfinished message until its blank line; ignores unknown fields and ids holding NUL', () => {
    const parser = new SseParser();
    expect(parser.push('id: x\0y\nfoo: bar\ndata: 1\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ id: undefined, event: undefined, data: '1', comments: [] }]);
  });
});
