import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { NamespaceSettings } from '../namespace/config.decide';
import { StoreError } from '../shared/errors';
import { DEFAULT_LIMITS } from '../shared/limits';
import { NAMESPACE_PATTERN, validateNamespace } from '../shared/names';
import { API_KEY_ID_RE, ApiKeyDeclaration } from '../identity/api-keys';
import { pathBetween } from '../namespace/dependencies.decide';
import { ValueSchema } from '../namespace/value-schema';
import { VALUE_SCHEMAS } from '../value-schemas/value-schema-compiler';

/** Reserved for later releases: refused by name, so a file written for them fails loudly, not silently. */
const RESERVED = ['acl', 'valueSchema'] as const;
const KNOWN = ['defaultTtlSeconds', 'quota', 'tags', 'dependencies', 'schema'];

const limit = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).nullable().optional();
const name = z.string().regex(NAMESPACE_PATTERN, 'is 1-64 characters of a-z, 0-9, ".", "_", "-", starting and ending with a letter or digit');

const namespaceSettings = z
  .object({
    defaultTtlSeconds: z.number().int().min(1).max(DEFAULT_LIMITS.maxTtlSeconds).nullable().optional(),
    quota: z.object({ maxEntries: limit, maxBytes: limit }).strict().optional(),
    tags: z.record(name, z.string().regex(/^#[0-9a-fA-F]{6}$/, 'is a colour "#rrggbb"')).optional(),
    dependencies: z.array(name).optional(),
    schema: z.unknown().optional(),
  })
  .catchall(z.unknown())
  .superRefine((settings, ctx) => {
    for (const field of Object.keys(settings)) {
      if (KNOWN.includes(field)) continue;
      const reserved = (RESERVED as readonly string[]).includes(field);
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: reserved ? 'is reserved for a later release and not supported yet' : 'is not a known setting',
      });
    }
  });

/** A user or role name: visible ASCII, no spaces. */
const NAME = z.string().regex(/^[\x21-\x7e]{1,128}$/, 'is 1-128 visible ASCII characters');

const apiKey = z
  .object({
    id: z.string().regex(API_KEY_ID_RE, 'is 1-64 letters, digits, "_" or "-"'),
    sha256: z.string({ error: 'is the hex SHA-256 of the secret as a quoted string' }).regex(/^[0-9a-fA-F]{64}$/, 'is the hex SHA-256 of the secret (64 hex digits), never the secret'),
    user: NAME,
    roles: z.array(NAME).default([]),
  })
  .strict();

const FILE_SCHEMA = z
  .object({
    namespaces: z.record(z.string(), namespaceSettings.nullable()).default({}),
    apiKeys: z.array(apiKey).default([]),
  })
  .strict();

export type { NamespaceSettings };

/** The declared state: namespace name -> its settings. */
export type StoreConfigFile = ReadonlyMap<string, NamespaceSettings>;

/** Everything the config file declares. */
export interface StoreConfigDocument {
  readonly namespaces: StoreConfigFile;
  readonly apiKeys: readonly ApiKeyDeclaration[];
}

/** The namespaces the config file declares (see parseStoreConfigDocument). */
export const parseStoreConfig = (text: string): StoreConfigFile => parseStoreConfigDocument(text).namespaces;

/**
 * Parses a YAML or JSON config file (JSON is YAML). Any problem is a CONFIG_INVALID naming the
 * path of the offending field, e.g. `namespaces.sessions.defaultTtlSeconds` or `apiKeys.0.sha256`.
 */
export function parseStoreConfigDocument(text: string): StoreConfigDocument {
  let raw: unknown;
  try {
    raw = parseYaml(text, { uniqueKeys: true }) ?? {};
  } catch (error) {
    throw configInvalid('', `not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = FILE_SCHEMA.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw configInvalid(issue.path.join('.'), issue.message);
  }
  const declared = new Map<string, NamespaceSettings>();
  for (const [name, settings] of Object.entries(parsed.data.namespaces)) {
    try {
      validateNamespace(name);
    } catch (error) {
      throw configInvalid(`namespaces.${name}`, (error as Error).message);
    }
    declared.set(name, {
      defaultTtlSeconds: settings?.defaultTtlSeconds ?? null,
      ...(settings?.quota && { quota: { maxEntries: settings.quota.maxEntries ?? null, maxBytes: settings.quota.maxBytes ?? null } }),
      ...(settings?.tags && { tags: settings.tags }),
      ...(settings?.dependencies && { dependencies: settings.dependencies }),
      ...(settings && 'schema' in settings && { valueSchema: declaredSchema(name, settings.schema) }),
    });
  }
  checkDeclaredGraph(declared);
  const ids = new Set<string>();
  parsed.data.apiKeys.forEach((key, index) => {
    if (ids.has(key.id)) throw configInvalid(`apiKeys.${index}.id`, `${key.id} is declared twice`);
    ids.add(key.id);
  });
  const apiKeys = parsed.data.apiKeys.map((key) => ({ ...key, sha256: key.sha256.toLowerCase() }));
  return { namespaces: declared, apiKeys };
}

/** The dependencies the file declares must not form a cycle among themselves. */
function checkDeclaredGraph(declared: StoreConfigFile): void {
  const graph = new Map([...declared].map(([ns, s]) => [ns, s.dependencies ?? []]));
  for (const [ns, dependsOn] of graph) {
    for (const other of dependsOn) {
      const back = pathBetween(graph, other, ns);
      if (back) throw configInvalid(`namespaces.${ns}.dependencies`, `the cycle ${[ns, ...back].join(' -> ')} is not allowed`);
    }
  }
}

/** A schema the file declares, checked and compiled as one set through the API would be; null: none. */
function declaredSchema(namespace: string, schema: unknown): ValueSchema | null {
  if (schema === null) return null;
  try {
    return VALUE_SCHEMAS.check(schema);
  } catch (error) {
    if (error instanceof StoreError) throw configInvalid(`namespaces.${namespace}.schema`, error.message);
    throw error;
  }
}

export function configInvalid(path: string, message: string): StoreError {
  return new StoreError('CONFIG_INVALID', path ? `${path}: ${message}` : message, { path });
}
