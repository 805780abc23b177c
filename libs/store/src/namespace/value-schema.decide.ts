import { NamespaceState, requireExists } from './namespace';
import { SchemaProblem, SchemaRemoved, SchemaSet, ValueSchema, ValueSchemaValidators, ValueValidator } from './value-schema';
import { StoreError } from '../shared/errors';

/** At most this many problems are named per refused value: enough to fix it, small enough to answer. */
export const MAX_PROBLEMS_PER_VALUE = 20;

/** SetSchema: `checked` has compiled already (the caller refused it otherwise); the same schema again writes nothing. */
export function decideSetSchema(state: NamespaceState, checked: ValueSchema): SchemaSet[] {
  requireExists(state);
  if (state.valueSchema?.sha256 === checked.sha256) return [];
  return [{ type: 'StoreSchemaSet', data: { namespace: state.name, ...checked } }];
}

/** RemoveSchema: SCHEMA_NOT_FOUND when the namespace has none. */
export function decideRemoveSchema(state: NamespaceState): SchemaRemoved[] {
  requireExists(state);
  if (!state.valueSchema) throw schemaNotFound(state.name);
  return [{ type: 'StoreSchemaRemoved', data: { namespace: state.name } }];
}

/** The schema the config file declares, or none (undefined: the file leaves the schema to the API). */
export function decideDeclaredSchema(state: NamespaceState, declared: ValueSchema | null | undefined): (SchemaSet | SchemaRemoved)[] {
  if (declared === undefined) return [];
  if (declared === null) return state.valueSchema ? [{ type: 'StoreSchemaRemoved', data: { namespace: state.name } }] : [];
  return state.valueSchema?.sha256 === declared.sha256 ? [] : [{ type: 'StoreSchemaSet', data: { namespace: state.name, ...declared } }];
}

export const schemaNotFound = (namespace: string) =>
  new StoreError('SCHEMA_NOT_FOUND', `namespace ${namespace} has no value schema`, { namespace });

/**
 * Every put of a write must hold a JSON value that satisfies the namespace's schema, as the state
 * the write is decided on has it: a schema set or removed concurrently is either wholly before or
 * wholly after this decision. The first failing put refuses the whole write (SCHEMA_VIOLATION).
 */
export function checkValueSchema(
  ops: readonly ({ readonly op: 'put'; readonly key: string; readonly value: Uint8Array } | { readonly op: 'delete' })[],
  state: NamespaceState,
  validators: ValueSchemaValidators | undefined,
  asTransaction: boolean,
): void {
  const schema = state.valueSchema;
  if (!schema) return;
  if (!validators) throw new Error(`namespace ${state.name} has a value schema but the write was decided without validators`);
  const validate = validators.validatorFor(schema);
  ops.forEach((put, opIndex) => {
    if (put.op !== 'put') return;
    const problems = problemsOfValue(put.value, validate);
    if (problems.length === 0) return;
    const errors = problems.slice(0, MAX_PROBLEMS_PER_VALUE);
    const where = asTransaction ? `op ${opIndex}: ` : '';
    throw new StoreError(
      'SCHEMA_VIOLATION',
      `${where}the value of ${JSON.stringify(put.key)} does not satisfy the schema of namespace ${state.name}: ${errors[0].path || '(value)'} ${errors[0].message}`,
      { key: put.key, sha256: schema.sha256, errors, ...(asTransaction && { opIndex }) },
    );
  });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** What is wrong with a stored value under a schema: it must be UTF-8 text of one JSON value that the schema accepts. */
export function problemsOfValue(bytes: Uint8Array, validate: ValueValidator): readonly SchemaProblem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(UTF8.decode(bytes));
  } catch {
    return [{ path: '', message: 'is not JSON (UTF-8 text of one JSON value)' }];
  }
  return validate(parsed);
}

export type { SchemaProblem };
