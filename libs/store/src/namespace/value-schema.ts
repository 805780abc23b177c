import { DomainEvent } from '../shared/store-events';

/** A namespace's value schema (JSON Schema 2020-12) as set, named by the SHA-256 of its canonical JSON. */
export interface ValueSchema {
  readonly sha256: string;
  readonly schema: unknown;
}

/** The schema every new value of the namespace must satisfy (replacing any earlier one). */
export type SchemaSet = DomainEvent<'StoreSchemaSet', { readonly namespace: string } & ValueSchema>;
/** Values are free again. */
export type SchemaRemoved = DomainEvent<'StoreSchemaRemoved', { readonly namespace: string }>;
export type SchemaEvent = SchemaSet | SchemaRemoved;

/** Where a value fails its schema: `path` is a JSON Pointer into the value ('' is the value itself). */
export interface SchemaProblem {
  readonly path: string;
  readonly message: string;
}

/** Checks one parsed JSON value: the problems found, none when it conforms. */
export type ValueValidator = (value: unknown) => readonly SchemaProblem[];

/**
 * The compiled validator of a schema. Compiling is the caller's business (and its cache's): the
 * decision only runs what it is handed, so it stays a pure function of state and command.
 */
export interface ValueSchemaValidators {
  validatorFor(schema: ValueSchema): ValueValidator;
}
