import { decideWrites, EntryOp } from './entry.decide';
import { namespaceDecider } from './given-when-then';
import { NamespaceDeleted, NamespaceState } from './namespace';
import { testEvents } from './test-events';
import { SchemaRemoved, SchemaSet, ValueSchema, ValueSchemaValidators } from './value-schema';
import { decideDeclaredSchema, decideRemoveSchema, decideSetSchema } from './value-schema.decide';
import { DEFAULT_LIMITS } from '../shared/limits';

const NS = 'shop';
const { given } = namespaceDecider(NS);
const { nsCreated, created } = testEvents(NS);

/** A schema compiled by hand: the decision only runs the validator it is given. */
const PRICED: ValueSchema = { sha256: 'a'.repeat(64), schema: { required: ['price'] } };
const ANYTHING: ValueSchema = { sha256: 'b'.repeat(64), schema: true };
const validators: ValueSchemaValidators = {
  validatorFor: (s) => (s.sha256 === PRICED.sha256
    ? (value) => (typeof value === 'object' && value !== null && 'price' in value ? [] : [{ path: '', message: "must have required property 'price'" }])
    : () => []),
};
const schemaSet = (schema: ValueSchema): SchemaSet => ({ type: 'StoreSchemaSet', data: { namespace: NS, ...schema } });
const schemaRemoved: SchemaRemoved = { type: 'StoreSchemaRemoved', data: { namespace: NS } };
const nsDeleted: NamespaceDeleted = { type: 'StoreNamespaceDeleted', data: { namespace: NS } };
const rules = { now: new Date(1000), limits: DEFAULT_LIMITS, valueSchemas: validators };
const put = (key: string, value: string | Uint8Array): EntryOp => ({ op: 'put', key, value: typeof value === 'string' ? Buffer.from(value) : value });
const writes = (...ops: EntryOp[]) => (state: NamespaceState) => decideWrites(ops, state, rules);

describe('value schemas: setting and removing', () => {
  it('StoreSchemaSet names the schema by its SHA-256; the same schema again writes nothing', () => {
    given(nsCreated).when((s) => decideSetSchema(s, PRICED)).then(schemaSet(PRICED));
    given(nsCreated, schemaSet(PRICED)).when((s) => decideSetSchema(s, PRICED)).then();
    given(nsCreated, schemaSet(PRICED)).when((s) => decideSetSchema(s, ANYTHING)).then(schemaSet(ANYTHING));
  });

  it('StoreSchemaRemoved frees the values; removing none is SCHEMA_NOT_FOUND', () => {
    given(nsCreated, schemaSet(PRICED)).when(decideRemoveSchema).then(schemaRemoved);
    given(nsCreated).when(decideRemoveSchema).thenFails('SCHEMA_NOT_FOUND', { namespace: NS });
    given(nsCreated, schemaSet(PRICED), schemaRemoved).when(decideRemoveSchema).thenFails('SCHEMA_NOT_FOUND');
  });

  it('needs the namespace; a deleted namespace takes its schema with it', () => {
    given().when((s) => decideSetSchema(s, PRICED)).thenFails('NAMESPACE_NOT_FOUND');
    given(nsCreated, schemaSet(PRICED), nsDeleted).when((s) => decideSetSchema(s, PRICED)).thenFails('NAMESPACE_NOT_FOUND');
    expect(given(nsCreated, schemaSet(PRICED), nsDeleted, nsCreated).state.valueSchema).toBeNull();
  });

  it('the config file sets, replaces or removes the schema it declares, and leaves it alone when it declares none', () => {
    given(nsCreated).when((s) => decideDeclaredSchema(s, PRICED)).then(schemaSet(PRICED));
    given(nsCreated, schemaSet(PRICED)).when((s) => decideDeclaredSchema(s, PRICED)).then();
    given(nsCreated, schemaSet(PRICED)).when((s) => decideDeclaredSchema(s, null)).then(schemaRemoved);
    given(nsCreated).when((s) => decideDeclaredSchema(s, null)).then();
    given(nsCreated, schemaSet(PRICED)).when((s) => decideDeclaredSchema(s, undefined)).then();
  });
});

describe('value schemas: every put is checked in the write decision', () => {
  it('a value that satisfies the schema is written', () => {
    given(nsCreated, schemaSet(PRICED)).when(writes(put('p', '{"price":3}'))).then(created('p', '{"price":3}'));
  });

  it('a value that fails is SCHEMA_VIOLATION naming the key and where it fails', () => {
    given(nsCreated, schemaSet(PRICED)).when(writes(put('p', '{"cost":3}'))).thenFails('SCHEMA_VIOLATION', {
      key: 'p', sha256: PRICED.sha256, errors: [{ path: '', message: "must have required property 'price'" }],
    });
  });

  it('a value that is not JSON, or not UTF-8, fails whatever the schema', () => {
    const notJson = [{ path: '', message: 'is not JSON (UTF-8 text of one JSON value)' }];
    given(nsCreated, schemaSet(ANYTHING)).when(writes(put('p', 'price: 3'))).thenFails('SCHEMA_VIOLATION', { key: 'p', sha256: ANYTHING.sha256, errors: notJson });
    given(nsCreated, schemaSet(ANYTHING)).when(writes(put('p', new Uint8Array([0x22, 0xff, 0x22])))).thenFails('SCHEMA_VIOLATION');
  });

  it('one failing op refuses the whole transaction, naming its index; deletes are not checked', () => {
    given(nsCreated, created('old', 'x'), schemaSet(PRICED))
      .when(writes({ op: 'delete', key: 'old' }, put('a', '{"price":1}'), put('b', '{}')))
      .thenFails('SCHEMA_VIOLATION', { key: 'b', sha256: PRICED.sha256, errors: [{ path: '', message: "must have required property 'price'" }], opIndex: 2 });
    given(nsCreated, created('old', 'x'), schemaSet(PRICED)).when(writes({ op: 'delete', key: 'old' })).then({
      type: 'StoreEntryDeleted', data: { namespace: NS, key: 'old', version: 1 },
    });
  });

  it('the schema the decision sees is the one in the state: after a removal anything goes again', () => {
    given(nsCreated, schemaSet(PRICED), schemaRemoved).when(writes(put('p', 'not json'))).then(created('p', 'not json'));
    given(nsCreated).when(writes(put('p', 'not json'))).then(created('p', 'not json'));
  });

  it('refuses to decide without validators when the namespace has a schema (never writes unchecked)', () => {
    const { state } = given(nsCreated, schemaSet(PRICED));
    expect(() => decideWrites([put('p', '{}')], state, { now: new Date(1000), limits: DEFAULT_LIMITS })).toThrow(/without validators/);
  });
});
