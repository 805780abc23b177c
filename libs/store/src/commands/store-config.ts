import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { NamespaceSettings } from '../namespace/config.decide';
import { StoreError } from '../shared/errors';
import { DEFAULT_LIMITS } from '../shared/limits';
import { validateNamespace } from '../shared/names';

/** Reserved for later releases: refused by name, so a file written for them fails loudly, not silently. */
const RESERVED = ['quota', 'quotas', 'tags', 'acl', 'dependencies', 'schema', 'valueSchema'] as const;

const namespaceSettings = z
  .object({
    defaultTtlSeconds: z.number().int().min(1).max(DEFAULT_LIMITS.maxTtlSeconds).nullable().optional(),
  })
  .catchall(z.unknown())
  .superRefine((settings, ctx) => {
    for (const field of Object.keys(settings)) {
      if (field === 'defaultTtlSeconds') continue;
      const reserved = (RESERVED as readonly string[]).includes(field);
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: reserved ? 'is reserved for a later release and not supported yet' : 'is not a known setting',
      });
    }
  });

const FILE_SCHEMA = z
  .object({ namespaces: z.record(z.string(), namespaceSettings.nullable()).default({}) })
  .strict();

export type { NamespaceSettings };

/** The declared state: namespace name -> its settings. */
export type StoreConfigFile = ReadonlyMap<string, NamespaceSettings>;

/**
 * Parses a YAML or JSON config file (JSON is YAML). Any problem is a CONFIG_INVALID naming the
 * path of the offending field, e.g. `namespaces.sessions.defaultTtlSeconds`.
 */
export function parseStoreConfig(text: string): StoreConfigFile {
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
    declared.set(name, { defaultTtlSeconds: settings?.defaultTtlSeconds ?? null });
  }
  return declared;
}

export function configInvalid(path: string, message: string): StoreError {
  return new StoreError('CONFIG_INVALID', path ? `${path}: ${message}` : message, { path });
}
