export * from './patterns';
export * from './microservice-client';
