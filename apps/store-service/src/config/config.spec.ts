import { ConfigError, isLoopbackHost, loadConfig } from './config';

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

  it('defaults the access audit retention to 30 days and rate limits to off, and refuses bad values', () => {
    expect(loadConfig({})).toMatchObject({ accessAudit: { retentionDays: 30 }, rateLimit: { requests: 0, windowMs: 60_000 } });
    expect(loadConfig({ ACCESS_AUDIT_RETENTION_DAYS: '7', RATE_LIMIT_REQUESTS: '100', RATE_LIMIT_WINDOW_MS: '1000' })).toMatchObject({
      accessAudit: { retentionDays: 7 }, rateLimit: { requests: 100, windowMs: 1000 },
    });
    expect(refused({ ACCESS_AUDIT_RETENTION_DAYS: '0' })).toBe('invalid configuration: ACCESS_AUDIT_RETENTION_DAYS must be a whole number from 1 to 36500 (got "0")');
    expect(refused({ ACCESS_AUDIT_RETENTION_DAYS: '30d' })).toBe('invalid configuration: ACCESS_AUDIT_RETENTION_DAYS must be a whole number from 1 to 36500 (got "30d")');
    expect(refused({ RATE_LIMIT_REQUESTS: '-5' })).toBe('invalid configuration: RATE_LIMIT_REQUESTS must be a whole number from 0 to 1000000000 (got "-5")');
    expect(refused({ RATE_LIMIT_WINDOW_MS: '10' })).toBe('invalid configuration: RATE_LIMIT_WINDOW_MS must be a whole number from 100 to 86400000 (got "10")');
  });

  it('serves gRPC and the microservice transport only when their ports are set', () => {
    expect(loadConfig({})).toMatchObject({ grpcPort: undefined, microservicePort: undefined });
    expect(loadConfig({ GRPC_PORT: '50051', MICROSERVICE_PORT: '4000' })).toMatchObject({ grpcPort: 50051, microservicePort: 4000 });
    expect(refused({ GRPC_PORT: '70000' })).toBe('invalid configuration: GRPC_PORT must be a whole number from 0 to 65535 (got "70000")');
    expect(refused({ MICROSERVICE_PORT: 'tcp' })).toBe('invalid configuration: MICROSERVICE_PORT must be a whole number from 0 to 65535 (got "tcp")');
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

  it('defaults the HTTP server limits and takes them from the environment', () => {
    expect(loadConfig({}).http).toEqual({
      headersTimeoutMs: 10_000, requestTimeoutMs: 300_000, idleTimeoutMs: 120_000, keepAliveTimeoutMs: 65_000,
      maxConnections: 4096, allowedHosts: [],
    });
    expect(loadConfig({
      HTTP_HEADERS_TIMEOUT_MS: '200', HTTP_REQUEST_TIMEOUT_MS: '300', HTTP_IDLE_TIMEOUT_MS: '400', HTTP_KEEP_ALIVE_TIMEOUT_MS: '500',
      HTTP_MAX_CONNECTIONS: '10', ALLOWED_HOSTS: 'Store.Internal, hexastore-1 ,,[::1]',
    }).http).toEqual({
      headersTimeoutMs: 200, requestTimeoutMs: 300, idleTimeoutMs: 400, keepAliveTimeoutMs: 500,
      maxConnections: 10, allowedHosts: ['store.internal', 'hexastore-1', '[::1]'],
    });
    expect(loadConfig({ ALLOWED_HOSTS: '*' }).http.allowedHosts).toEqual(['*']);
  });

  it('refuses bad HTTP server limits in one line', () => {
    expect(refused({ HTTP_MAX_CONNECTIONS: '0' })).toBe('invalid configuration: HTTP_MAX_CONNECTIONS must be a whole number from 1 to 1000000 (got "0")');
    expect(refused({ HTTP_IDLE_TIMEOUT_MS: 'soon' })).toBe('invalid configuration: HTTP_IDLE_TIMEOUT_MS must be a whole number from 10 to 3600000 (got "soon")');
    expect(refused({ HTTP_HEADERS_TIMEOUT_MS: '5000', HTTP_REQUEST_TIMEOUT_MS: '1000' })).toBe(
      'invalid configuration: HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS (got "5000")',
    );
    expect(refused({ ALLOWED_HOSTS: 'store.internal:3000' })).toBe(
      'invalid configuration: ALLOWED_HOSTS must be a comma-separated list of host names (no ports), or * (got "store.internal:3000")',
    );
  });

  it('defaults the store-wide feed and restore bounds, takes them from the environment and refuses bad ones', () => {
    const defaults = loadConfig({});
    expect([defaults.feed.maxStreams, defaults.feed.totalBufferBytes]).toEqual([1024, 64 * 1024 * 1024]);
    expect(defaults.restore).toEqual({ maxUncompressedBytes: 8 * 1024 ** 3, minFreeBytes: 64 * 1024 * 1024 });
    const set = loadConfig({ FEED_MAX_STREAMS: '10', FEED_TOTAL_BUFFER_BYTES: '4096', RESTORE_MAX_UNCOMPRESSED_BYTES: '100', RESTORE_MIN_FREE_BYTES: '0' });
    expect([set.feed.maxStreams, set.feed.totalBufferBytes, set.restore]).toEqual([10, 4096, { maxUncompressedBytes: 100, minFreeBytes: 0 }]);
    expect(refused({ FEED_MAX_STREAMS: '0' })).toBe('invalid configuration: FEED_MAX_STREAMS must be a whole number from 1 to 1000000 (got "0")');
    expect(refused({ FEED_TOTAL_BUFFER_BYTES: '1k' })).toMatch(/^invalid configuration: FEED_TOTAL_BUFFER_BYTES must be a whole number from 1024 to /);
    expect(refused({ RESTORE_MAX_UNCOMPRESSED_BYTES: '0' })).toMatch(/^invalid configuration: RESTORE_MAX_UNCOMPRESSED_BYTES must be a whole number from 1 to /);
    expect(refused({ RESTORE_MIN_FREE_BYTES: '-1' })).toMatch(/^invalid configuration: RESTORE_MIN_FREE_BYTES must be a whole number from 0 to /);
  });

  it('keeps authentication off only on a loopback HOST, unless STORE_AUTH=off-insecure says so', () => {
    expect(loadConfig({}).auth).toEqual({ mode: 'off' });
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect({ host, loopback: isLoopbackHost(host) }).toEqual({ host, loopback: true });
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'store.internal', '128.0.0.1', '127.0.0.1.example']) expect({ host, loopback: isLoopbackHost(host) }).toEqual({ host, loopback: false });
    expect(refused({ HOST: '0.0.0.0' })).toMatch(/^invalid configuration: STORE_AUTH is off while HOST is not a loopback address: .*STORE_AUTH=on.*STORE_AUTH=off-insecure/);
    expect(refused({ HOST: '0.0.0.0', STORE_AUTH: 'off' })).toMatch(/^invalid configuration: STORE_AUTH is off while HOST/);
    expect(loadConfig({ HOST: '0.0.0.0', STORE_AUTH: 'off-insecure' }).auth.mode).toBe('off-insecure');
    expect(loadConfig({ HOST: '0.0.0.0', STORE_AUTH: 'on', STORE_CONFIG: 'store.yaml' }).auth.mode).toBe('on');
    expect(refused({ STORE_AUTH: 'yes' })).toBe('invalid configuration: STORE_AUTH is one of off, on, off-insecure (got "yes")');
  });

  it('turns authentication on only with a credential source, and takes the JWT settings', () => {
    expect(refused({ STORE_AUTH: 'on' })).toMatch(/^invalid configuration: STORE_AUTH is on but no credential is configured/);
    expect(loadConfig({ STORE_AUTH: 'on', STORE_JWT_SECRET_FILE: 'jwt.secret', STORE_JWT_ISSUER: 'https://id.example', STORE_JWT_AUDIENCE: 'hexastore' }).auth).toEqual({
      mode: 'on', jwtSecretFile: 'jwt.secret', jwtIssuer: 'https://id.example', jwtAudience: 'hexastore',
    });
    expect(loadConfig({ STORE_AUTH: 'on', STORE_JWT_PUBLIC_KEY_FILE: 'jwt.pem' }).auth.jwtPublicKeyFile).toBe('jwt.pem');
  });
});
