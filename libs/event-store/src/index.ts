export * from './event-store.port';
export * from './position';
export * from './errors';
export * from './subscription';
export * from './sqlite/sqlite-event-store';
export * from './eventstoredb/esdb-event-store';
export { connectionStringProblem } from './eventstoredb/esdb-mapping';
export * from './projector/projection';
export * from './projector/sqlite-projector';
