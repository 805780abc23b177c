import { StoreError } from '@app/store';
import { parseEntryPath } from './entry-path';

const url = (rest: string, query = '') => `/v1/namespaces/app/entries/${rest}${query}`;

describe('parseEntryPath', () => {
  it.each([
    ['a plain key', url('k'), ['history'], { key: 'k', sub: undefined }],
    ['a key with slashes', url('a/b/c'), ['history'], { key: 'a/b/c', sub: undefined }],
    ['a sub-resource after the key', url('a/b/history'), ['history'], { key: 'a/b', sub: 'history' }],
    ['a sub-resource the method does not have: part of the key', url('a/ttl'), ['history'], { key: 'a/ttl', sub: undefined }],
    ['an encoded last slash: part of the key', url('a%2Fhistory'), ['history'], { key: 'a/history', sub: undefined }],
    ['a key that is only the sub-resource name', url('history'), ['history'], { key: 'history', sub: undefined }],
    ['the history of a key ending in /history', url('a%2Fhistory/history'), ['history'], { key: 'a/history', sub: 'history' }],
    ['percent-encoded text', url('caf%C3%A9/%20x'), [], { key: 'café/ x', sub: undefined }],
    ['a query string', url('a/restore', '?x=1/purge'), ['restore', 'purge'], { key: 'a', sub: 'restore' }],
    ['an empty key', url(''), [], { key: '', sub: undefined }],
  ] as const)('%s', (_, raw, subs, expected) => {
    expect(parseEntryPath(raw, subs)).toEqual(expected);
  });

  it('refuses bad percent-encoding with KEY_INVALID', () => {
    expect(() => parseEntryPath(url('a%E0%A4'), [])).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }) as unknown as StoreError);
  });
});
