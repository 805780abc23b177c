import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import { createHash } from 'node:crypto';
import { RE2JS } from 're2js';
import { SchemaProblem, ValueSchema, ValueSchemaValidators, ValueValidator } from '../namespace/value-schema';
import { StoreError } from '../shared/errors';
import { checkSchemaShape, schemaInvalid, SCHEMA_LIMITS, SchemaLimits } from './schema-limits';

/**
 * `pattern` and `patternProperties` run on RE2 (linear time, no backtracking), never on the
 * backtracking engine of JavaScript: no value can make a pattern take exponential time. Patterns
 * RE2 does not have (backreferences, lookaround) are refused when the schema is set.
 */
const safeRegExp = Object.assign(
  (pattern: string) => {
    const re = RE2JS.compile(pattern);
    return { test: (text: string) => re.matcher(text).find(), toString: () => `re2:${pattern}` };
  },
  { code: 're2js.RE2JS.compile' },
);

function newAjv(): Ajv2020 {
  return new Ajv2020({
    allErrors: true,
    // Unknown keywords are refused (a typo would otherwise check nothing); types and tuples are the user's business.
    strict: true, strictTypes: false, strictTuples: false, strictRequired: false, allowUnionTypes: true,
    // `format` is an annotation, as JSON Schema 2020-12 says by default.
    validateFormats: false,
    logger: false,
    code: { regExp: safeRegExp },
  });
}

/** JSON with the fields of every object sorted: the same schema always has the same SHA-256. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_field, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v);
}

/**
 * Value schemas compiled once each and kept by SHA-256 (a bounded number of them, least recently
 * used dropped): a write to a namespace with a schema costs one parse and one validation.
 */
export class CompiledValueSchemas implements ValueSchemaValidators {
  /** Made on first use: a store whose namespaces have no schema never pays for it. */
  private compiler?: Ajv2020;
  private readonly compiled = new Map<string, ValueValidator>();

  constructor(private readonly limits: SchemaLimits = SCHEMA_LIMITS, private readonly maxCached = 256) {}

  /** Checks and compiles a schema given by a caller: SCHEMA_INVALID or SCHEMA_TOO_COMPLEX when it cannot be used. */
  check(schema: unknown): ValueSchema {
    let canonical: string;
    try {
      canonical = canonicalJson(schema);
    } catch {
      throw schemaInvalid('schema is a JSON Schema: an object or a boolean');
    }
    checkSchemaShape(schema, canonical, this.limits);
    const checked: ValueSchema = { sha256: createHash('sha256').update(canonical).digest('hex'), schema: JSON.parse(canonical) };
    this.validatorFor(checked);
    return checked;
  }

  validatorFor(schema: ValueSchema): ValueValidator {
    const known = this.compiled.get(schema.sha256);
    if (known) {
      this.compiled.delete(schema.sha256);
      this.compiled.set(schema.sha256, known);
      return known;
    }
    const validator = toValidator(this.compile(schema.schema));
    this.compiled.set(schema.sha256, validator);
    if (this.compiled.size > this.maxCached) this.compiled.delete(this.compiled.keys().next().value!);
    return validator;
  }

  private compile(schema: unknown): ValidateFunction {
    // A fresh copy: ajv keeps the schema objects it compiles (by identity and by $id) until removed.
    const own = structuredClone(schema) as object | boolean;
    const ajv = (this.compiler ??= newAjv());
    try {
      return ajv.compile(own);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw schemaInvalid(`the schema does not compile: ${(error as Error).message.split('\n')[0].slice(0, 500)}`);
    } finally {
      ajv.removeSchema(own);
    }
  }
}

function toValidator(validate: ValidateFunction): ValueValidator {
  return (value) => {
    try {
      return validate(value) ? [] : (validate.errors ?? []).map(toProblem);
    } catch (error) {
      return [{ path: '', message: `could not be checked against the schema: ${(error as Error).message.slice(0, 200)}` }];
    }
  };
}

function toProblem(error: ErrorObject): SchemaProblem {
  const extra = error.params as { additionalProperty?: string; allowedValues?: unknown[] };
  const detail = extra.additionalProperty !== undefined ? ` (${JSON.stringify(extra.additionalProperty)})` : '';
  return { path: error.instancePath, message: `${error.message ?? `fails ${error.keyword}`}${detail}` };
}

/** The one cache of the process: every write path and schema command shares its compiled validators. */
export const VALUE_SCHEMAS = new CompiledValueSchemas();
