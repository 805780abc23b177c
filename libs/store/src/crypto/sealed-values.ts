import { EntryContent, isEntryWrittenType } from '../namespace/entry';
import { NamespaceEvent, NamespaceState } from '../namespace/namespace';
import { StoreError } from '../shared/errors';
import { context, open, seal, SealBrokenError } from './aead';
import { DataKeyInfo, KeyVault } from './key-vault';

/**
 * A sealed value as events, read models and backups hold it: `hxs1:<keyId>:<base64 of nonce ‖
 * ciphertext ‖ tag>`. It is a text value, so sizes and quotas count the sealed form.
 */
const ENVELOPE = /^hxs1:([0-9a-f-]{36}):([A-Za-z0-9+/]+={0,2})$/;
const TEXT = 0x74;
const BYTES = 0x62;

const valueContext = (namespace: string, key: string, keyId: string) => context('hexastore-value', namespace, key, keyId);
const metadataContext = (namespace: string, key: string, keyId: string, name: string) =>
  context('hexastore-metadata', namespace, key, keyId, name);

export const keyUnavailable = (namespace: string, why: string) =>
  new StoreError('KEY_UNAVAILABLE', `the values of namespace ${namespace} cannot be opened: ${why}`, { namespace });

export const valueShredded = (namespace: string, keyId: string) =>
  new StoreError('VALUE_SHREDDED', `the key that sealed this value of namespace ${namespace} was shredded`, { namespace, keyId });

/**
 * The data keys of encrypted namespaces (in the key vault) and the sealing of their values:
 * values and metadata values are sealed on the write path, right before the append, and opened
 * where a read answers them. Without a master key (no vault) nothing opens: KEY_UNAVAILABLE.
 */
export class NamespaceKeys {
  constructor(private readonly vault: KeyVault | undefined) {}

  get available(): boolean {
    return this.vault !== undefined;
  }

  /** The namespace's current data key, made when it has none (a first create, or writes after a shred). */
  current(namespace: string, now: Date): DataKeyInfo & { key: Buffer } {
    const vault = this.requireVault(namespace);
    const latest = vault.keys(namespace).at(-1);
    if (latest === undefined) return vault.createKey(namespace, now);
    return { ...latest, key: vault.dataKey(namespace, latest.keyId)! };
  }

  rotate(namespace: string, now: Date): { keyId: string; previousKeyId: string | null; rotatedAt: string } {
    const vault = this.requireVault(namespace);
    const previous = vault.keys(namespace).at(-1);
    const made = vault.createKey(namespace, now);
    return { keyId: made.keyId, previousKeyId: previous?.keyId ?? null, rotatedAt: made.createdAt };
  }

  list(namespace: string): DataKeyInfo[] {
    return this.requireVault(namespace).keys(namespace);
  }

  /** Destroys every data key of the namespace; answers their ids. */
  shred(namespace: string): string[] {
    const vault = this.requireVault(namespace);
    const ids = vault.keys(namespace).map((k) => k.keyId);
    vault.shred(namespace);
    return ids;
  }

  /** The decided events with the values and metadata values of their writes sealed, when the namespace is encrypted. */
  sealEvents(state: NamespaceState, events: NamespaceEvent[], now: Date): NamespaceEvent[] {
    if (!state.encrypted || !events.some((e) => isEntryWrittenType(e.type))) return events;
    const current = this.current(state.name, now);
    return events.map((event) => {
      if (event.type !== 'StoreEntryCreated' && event.type !== 'StoreEntryUpdated' && event.type !== 'StoreEntryRestored') return event;
      if (event.data.redacted) return event;
      const { value: _value, valueBase64: _bytes, ...rest } = event.data;
      return { ...event, data: { ...rest, ...this.sealContent(state.name, event.data.key, event.data, current) } } as NamespaceEvent;
    });
  }

  /** The content as written: values sealed by `sealEvents` opened; anything else as it is. */
  openContent<C extends SealableContent>(namespace: string, key: string, content: C): C {
    const value = content.value === undefined ? undefined : ENVELOPE.exec(content.value);
    const sealedMeta = Object.values(content.metadata ?? {}).some((v) => ENVELOPE.test(v));
    if (!value && !sealedMeta) return content;
    const opened = { ...content } as Record<string, unknown>;
    if (value) {
      const bytes = this.openBox(namespace, value[1], Buffer.from(value[2], 'base64'), valueContext(namespace, key, value[1]));
      delete opened.value;
      delete opened.valueBase64;
      if (bytes[0] === TEXT) opened.value = bytes.subarray(1).toString('utf8');
      else opened.valueBase64 = bytes.subarray(1).toString('base64');
    }
    if (sealedMeta) {
      opened.metadata = Object.fromEntries(Object.entries(content.metadata!).map(([name, v]) => {
        const m = ENVELOPE.exec(v);
        return [name, m ? this.openBox(namespace, m[1], Buffer.from(m[2], 'base64'), metadataContext(namespace, key, m[1], name)).toString('utf8') : v];
      }));
    }
    return opened as C;
  }

  private sealContent(namespace: string, key: string, content: EntryContent, current: { keyId: string; key: Buffer }): EntryContent {
    const { keyId } = current;
    const value = content.value !== undefined && this.alreadySealed(namespace, content.value, (id) => valueContext(namespace, key, id))
      ? content.value
      : envelope(keyId, seal(current.key, valueContext(namespace, key, keyId), plainValue(content)));
    const metadata = Object.fromEntries(Object.entries(content.metadata).map(([name, v]) => [
      name,
      this.alreadySealed(namespace, v, (id) => metadataContext(namespace, key, id, name))
        ? v : envelope(keyId, seal(current.key, metadataContext(namespace, key, keyId, name), Buffer.from(v, 'utf8'))),
    ]));
    return { value, metadata };
  }

  /** A value copied from the namespace's own past (restore, rollback) is sealed already: it stays as it is. */
  private alreadySealed(namespace: string, text: string, contextFor: (keyId: string) => Buffer): boolean {
    const match = ENVELOPE.exec(text);
    if (!match) return false;
    const key = this.vault!.dataKey(namespace, match[1]);
    if (key === undefined) return true;
    try {
      open(key, contextFor(match[1]), Buffer.from(match[2], 'base64'));
      return true;
    } catch {
      return false;
    }
  }

  private openBox(namespace: string, keyId: string, box: Buffer, aad: Buffer): Buffer {
    if (!this.vault) throw keyUnavailable(namespace, 'the service has no master key (STORE_MASTER_KEY_FILE)');
    const key = this.vault.dataKey(namespace, keyId);
    if (key === undefined) throw valueShredded(namespace, keyId);
    try {
      return open(key, aad, box);
    } catch (error) {
      if (error instanceof SealBrokenError) throw keyUnavailable(namespace, `a value does not open with key ${keyId} (altered bytes)`);
      throw error;
    }
  }

  private requireVault(namespace: string): KeyVault {
    if (!this.vault) throw keyUnavailable(namespace, 'the service has no master key (STORE_MASTER_KEY_FILE)');
    return this.vault;
  }

  close(): void {
    this.vault?.close();
  }
}

/** What answers carry of a write: a value (text or bytes) and metadata, any of them left out. */
export interface SealableContent {
  readonly value?: string;
  readonly valueBase64?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

const envelope = (keyId: string, box: Buffer) => `hxs1:${keyId}:${box.toString('base64')}`;

function plainValue(content: EntryContent): Buffer {
  return content.value !== undefined
    ? Buffer.concat([Buffer.of(TEXT), Buffer.from(content.value, 'utf8')])
    : Buffer.concat([Buffer.of(BYTES), Buffer.from(content.valueBase64!, 'base64')]);
}
