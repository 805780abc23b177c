/** An event as stored, before it is checked: the part upcasters read and rewrite. */
export interface RawEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly recordedAt: string;
}

/**
 * Reads one event of `fromVersion` and returns its shape at `fromVersion + 1` (the chain sets the
 * new schemaVersion itself). Events are never rewritten in the log: old shapes are read through these.
 */
export interface Upcaster {
  readonly fromVersion: number;
  /** Event types it applies to; omitted, it applies to every store event. */
  readonly types?: readonly string[];
  readonly upcast: (event: RawEvent) => RawEvent;
}

export class SchemaVersionError extends Error {}

/**
 * Brings an event to `currentVersion`, step by step: v1 → v2 → … One schemaVersion covers every
 * type, so a step without an upcaster for this type leaves its shape as it is.
 * Events without a schemaVersion are version 0 (written before the field existed).
 */
export function upcast(event: RawEvent, upcasters: readonly Upcaster[], currentVersion: number): RawEvent {
  const version = event.metadata.schemaVersion ?? 0;
  if (version === currentVersion) return event;
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    throw new SchemaVersionError(`schemaVersion ${JSON.stringify(version)} is not a version number`);
  }
  if (version > currentVersion) {
    throw new SchemaVersionError(`schemaVersion ${version} is newer than this code reads (${currentVersion}): was it written by a newer release?`);
  }
  let current = event;
  for (let from = version; from < currentVersion; from++) {
    for (const upcaster of upcasters) {
      if (upcaster.fromVersion === from && (upcaster.types === undefined || upcaster.types.includes(event.type))) {
        current = upcaster.upcast(current);
      }
    }
    current = { ...current, metadata: { ...current.metadata, schemaVersion: from + 1 } };
  }
  return current;
}
