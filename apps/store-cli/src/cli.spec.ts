import { connectionLost } from './cli';

describe('connectionLost', () => {
  const socketError = (message: string, code: string) => Object.assign(new Error(message), { code });

  it('names the cause of a response body cut off (fetch: TypeError: terminated)', () => {
    const error = new TypeError('terminated', { cause: socketError('other side closed', 'UND_ERR_SOCKET') });
    expect(connectionLost(error)).toBe('other side closed (UND_ERR_SOCKET); the transfer was cut short');
  });

  it('names socket errors with their code', () => {
    expect(connectionLost(socketError('read ECONNRESET', 'ECONNRESET'))).toBe('read ECONNRESET (ECONNRESET)');
    expect(connectionLost(new TypeError('fetch failed', { cause: socketError('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED') })))
      .toBe('connect ECONNREFUSED 127.0.0.1:1 (ECONNREFUSED)');
  });

  it('leaves every other error alone', () => {
    expect(connectionLost(new Error('boom'))).toBeUndefined();
    expect(connectionLost(new TypeError('x is not a function'))).toBeUndefined();
    expect(connectionLost('text')).toBeUndefined();
    expect(connectionLost(undefined)).toBeUndefined();
  });
});
