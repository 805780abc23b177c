import { hostAllowed, hostName } from './request-guards';

describe('hostName', () => {
  it.each([
    ['127.0.0.1:3000', '127.0.0.1'],
    ['Store.Internal:80', 'store.internal'],
    ['[::1]:3000', '[::1]'],
    ['[::1]', '[::1]'],
    ['localhost', 'localhost'],
    [undefined, ''],
  ])('%s → %s', (header, name) => expect(hostName(header)).toBe(name));
});

describe('hostAllowed', () => {
  it.each([
    ['localhost:3000', '127.0.0.1', [], true],
    ['app.localhost', '127.0.0.1', [], true],
    ['192.168.1.5:3000', '127.0.0.1', [], true],
    ['[fe80::1]:3000', '127.0.0.1', [], true],
    ['store.example:3000', 'store.example', [], true],
    ['evil.example:3000', '0.0.0.0', [], false],
    ['0.0.0.0.evil.example', '0.0.0.0', [], false],
    ['evil.example', '127.0.0.1', ['store.internal'], false],
    ['store.internal:3000', '0.0.0.0', ['store.internal'], true],
    ['anything.example', '127.0.0.1', ['*'], true],
    ['', '127.0.0.1', [], false],
    [undefined, '127.0.0.1', [], false],
  ])('Host %s with HOST=%s and ALLOWED_HOSTS=%j: %s', (header, bound, allowed, expected) => {
    expect(hostAllowed(header, bound, allowed)).toBe(expected);
  });
});
