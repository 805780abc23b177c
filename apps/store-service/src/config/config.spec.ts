import { ConfigError, loadConfig } from './config';

const refused = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return 'accepted';
};

describe('configuration', () => {
  it('defaults the read and write waits', () => {
    expect(loadConfig({})).toMatchObject({ backend: 'sqlite', readWaitTimeoutMs: 5000, writeWaitTimeoutMs: 10_000 });
    expect(loadConfig({ READ_WAIT_TIMEOUT_MS: '0', WRITE_WAIT_TIMEOUT_MS: '250' })).toMatchObject({ readWaitTimeoutMs: 0, writeWaitTimeoutMs: 250 });
  });

  it('takes an EventStoreDB connection string the client accepts', () => {
    expect(loadConfig({ STORE_BACKEND: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://kurrentdb:2113?tls=false' })).toMatchObject({
      backend: 'eventstoredb', eventStoreConnectionString: 'esdb://kurrentdb:2113?tls=false',
    });
  });

  it('refuses bad values in one line, without repeating a connection string', () => {
    expect(refused({ STORE_BACKEND: 'eventstoredb' })).toBe(
      'invalid configuration: EVENTSTORE_CONNECTION_STRING is required when STORE_BACKEND=eventstoredb',
    );
    expect(refused({ STORE_BACKEND: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://admin:secret@host:port' })).toBe(
      'invalid configuration: EVENTSTORE_CONNECTION_STRING is not an esdb:// connection string: Unexpected "port" at position 25, expected port number.',
    );
    expect(refused({ EVENTSTORE_CONNECTION_STRING: 'http://localhost:2113' })).toBe(
      'invalid configuration: EVENTSTORE_CONNECTION_STRING is not an esdb:// connection string: Unexpected "http://" at position 0, expected esdb:// or esdb+discover://.',
    );
    expect(refused({ READ_WAIT_TIMEOUT_MS: '-1' })).toBe('invalid configuration: READ_WAIT_TIMEOUT_MS must be a whole number from 0 to 600000 (got "-1")');
    expect(refused({ WRITE_WAIT_TIMEOUT_MS: '0' })).toBe('invalid configuration: WRITE_WAIT_TIMEOUT_MS must be a whole number from 1 to 600000 (got "0")');
  });
});
