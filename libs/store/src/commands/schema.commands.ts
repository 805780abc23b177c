import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ValueSchema, ValueSchemaValidators } from '../namespace/value-schema';
import { decideRemoveSchema, decideSetSchema, MAX_PROBLEMS_PER_VALUE, problemsOfValue, SchemaProblem } from '../namespace/value-schema.decide';
import { EntriesReadModel, EntryView } from '../read-models/entries/entries.read-model';
import { SealedReads } from '../crypto/sealed-reads';
import { StoreError } from '../shared/errors';
import { NamespacesReadModel, SchemaView } from '../read-models/namespaces/namespaces.read-model';
import { Clock } from '../shared/clock';
import { RequestMeta } from '../shared/request-meta';
import { VALUE_SCHEMAS } from '../value-schemas/value-schema-compiler';
import { handleCommand } from '../write-path/handle-command';
import { NamespaceWriter } from '../write-path/namespace-writer';

/** How far a new schema is tried on the entries already there (the answer is a report, never a refusal). */
export const VIOLATION_SCAN = { maxListed: 100, maxChecked: 10_000, maxCheckedBytes: 64 * 1024 * 1024 } as const;

export interface SchemaViolations {
  /** The first live entries, in key order, whose value does not satisfy the schema. */
  items: { key: string; errors: SchemaProblem[] }[];
  /** Live entries checked: all of them when `complete`, else the first ones in key order. */
  checked: number;
  /** Entries among those checked that violate it (may be more than `items` lists). */
  violating: number;
  complete: boolean;
}

export type SetSchemaResult = SchemaView & { violations: SchemaViolations };

/**
 * SetSchema: the schema is checked and compiled first (SCHEMA_INVALID, SCHEMA_TOO_COMPLEX: nothing
 * written); from its StoreSchemaSet on every put is checked. Entries already there stay as they
 * are: the answer lists the first that violate it, so they can be fixed.
 */
export class SetSchema extends Command<SetSchemaResult> {
  constructor(readonly namespace: string, readonly schema: unknown, readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(SetSchema)
export class SetSchemaHandler implements ICommandHandler<SetSchema> {
  constructor(
    private readonly writer: NamespaceWriter,
    private readonly clock: Clock,
    private readonly namespaces: NamespacesReadModel,
    private readonly entries: EntriesReadModel,
    private readonly sealed: SealedReads,
  ) {}

  private openable(namespace: string) {
    return openOrSkip(this.sealed, namespace);
  }

  async execute({ namespace, schema, meta }: SetSchema): Promise<SetSchemaResult> {
    const checked = VALUE_SCHEMAS.check(schema);
    const view = await handleCommand(this.writer, this.clock, meta, {
      namespace, keys: [], operation: 'set-schema', input: { sha256: checked.sha256 },
      decide: (state) => decideSetSchema(state, checked),
      respond: () => this.namespaces.schema(namespace)!,
    });
    return { ...view, violations: findViolations(this.entries, namespace, checked, VALUE_SCHEMAS, this.clock.now().getTime(), this.openable(namespace)) };
  }
}

/** Values of an encrypted namespace are checked as written; those that cannot be opened (shredded, no key) are not checked. */
function openOrSkip(sealed: SealedReads, namespace: string) {
  return (entry: EntryView): EntryView | undefined => {
    try {
      return sealed.open(namespace, entry.key, entry);
    } catch (error) {
      if (error instanceof StoreError) return undefined;
      throw error;
    }
  };
}

export class RemoveSchema extends Command<void> {
  constructor(readonly namespace: string, readonly meta: RequestMeta) {
    super();
  }
}

@CommandHandler(RemoveSchema)
export class RemoveSchemaHandler implements ICommandHandler<RemoveSchema> {
  constructor(private readonly writer: NamespaceWriter, private readonly clock: Clock) {}

  execute({ namespace, meta }: RemoveSchema): Promise<void> {
    return handleCommand(this.writer, this.clock, meta, {
      namespace, keys: [], operation: 'remove-schema', input: {},
      decide: decideRemoveSchema,
      respond: () => undefined,
    });
  }
}

/** The live entries that a schema refuses, bounded (VIOLATION_SCAN): read after the write, outside the write lock. */
export function findViolations(
  entries: EntriesReadModel, namespace: string, schema: ValueSchema, validators: ValueSchemaValidators, nowMs: number,
  open: (entry: EntryView) => EntryView | undefined = (entry) => entry,
): SchemaViolations {
  const validate = validators.validatorFor(schema);
  const result: SchemaViolations = { items: [], checked: 0, violating: 0, complete: false };
  let bytes = 0;
  let after = '';
  for (;;) {
    const page = entries.list(namespace, { prefix: '', after, limit: 500, nowMs });
    for (const listed of page.items) {
      const entry = open(listed);
      if (entry === undefined) continue;
      if (result.checked >= VIOLATION_SCAN.maxChecked || bytes >= VIOLATION_SCAN.maxCheckedBytes) return result;
      const value = entry.valueBase64 !== undefined ? Buffer.from(entry.valueBase64, 'base64') : Buffer.from(entry.value!);
      bytes += value.byteLength;
      result.checked++;
      const errors = problemsOfValue(value, validate);
      if (errors.length === 0) continue;
      result.violating++;
      if (result.items.length < VIOLATION_SCAN.maxListed) result.items.push({ key: entry.key, errors: errors.slice(0, MAX_PROBLEMS_PER_VALUE) });
    }
    if (page.lastKey === undefined) return { ...result, complete: true };
    after = page.lastKey;
  }
}

export const SCHEMA_COMMAND_HANDLERS = [SetSchemaHandler, RemoveSchemaHandler];
