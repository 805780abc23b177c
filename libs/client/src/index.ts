export * from './types';
export * from './errors';
export { backoffDelay, BackoffOptions } from './backoff';
export { ClientOptions, RetryOptions } from './transport';
export { SseMessage, SseParser } from './sse';
export * from './options';
export * from './store-client';
export * from './watch';
