import { AccessControl } from '../access/access-control';
import { Command, CommandHandler, ICommandHandler, IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NamespaceKeys } from '../crypto/sealed-values';
import { DataKeyInfo } from '../crypto/key-vault';
import { requireEncrypted } from '../namespace/namespace.decide';
import { initialNamespaceState } from '../namespace/namespace';
import { NamespacesReadModel } from '../read-models/namespaces/namespaces.read-model';
import { Clock } from '../shared/clock';
import { validateNamespace } from '../shared/names';
import { Caller, RequestMeta } from '../shared/request-meta';
import { handleCommand } from '../write-path/handle-command';
import { NamespaceWriter } from '../write-path/namespace-writer';
import { StoreBackend } from '../runtime/store-backend';

export interface KeyRotation {
  keyId: string;
  previousKeyId: string | null;
  rotatedAt: string;
}

export interface KeysShreddedResult {
  namespace: string;
  /** The ids of the keys destroyed. */
  keyIds: string[];
  shreddedAt: string;
}

/** A new data key seals the namespace's values from now on; older values keep opening with their own keys. */
export class RotateKey extends Command<KeyRotation> {
  constructor(readonly namespace: string, readonly meta: RequestMeta) {
    super();
  }
}

/** Destroys the namespace's data keys: its values answer VALUE_SHREDDED from now on; its events stay. */
export class ShredKeys extends Command<KeysShreddedResult> {
  constructor(readonly namespace: string, readonly meta: RequestMeta) {
    super();
  }
}

export class ListKeys extends Query<{ items: DataKeyInfo[] }> {
  constructor(readonly namespace: string, readonly caller?: Caller) {
    super();
  }
}

/**
 * A retry of a rotate or shred already written (same Idempotency-Key) must not touch the vault
 * again: a second shred would destroy keys made since. The write path then replays the first answer.
 */
const alreadyWritten = (backend: StoreBackend, meta: RequestMeta) =>
  meta.idempotencyKey !== undefined && backend.idempotency.get(meta.idempotencyKey) !== undefined;

/** The namespace as the read models know it must be encrypted before the vault is touched. */
function requireEncryptedNamespace(namespaces: NamespacesReadModel, namespace: string): void {
  validateNamespace(namespace);
  const head = namespaces.head(namespace);
  requireEncrypted({ ...initialNamespaceState(namespace), ...head });
}

/**
 * Checked before the vault is touched, so a refused call changes nothing: the caller's access, the
 * namespace (encrypted), and whether this is a retry already written (which must not touch the vault again).
 */
function mayChangeVault(
  writer: NamespaceWriter, namespaces: NamespacesReadModel, backend: StoreBackend, meta: RequestMeta, namespace: string,
  operation: 'rotate-key' | 'shred-keys',
): boolean {
  writer.authorise(meta, { namespace: validateNamespace(namespace), operation });
  requireEncryptedNamespace(namespaces, namespace);
  return !alreadyWritten(backend, meta);
}

/** Never appended: a retry of a written request is answered from the idempotency log before its decision. */
const UNUSED_ROTATION: KeyRotation = { keyId: '', previousKeyId: null, rotatedAt: '' };

@CommandHandler(RotateKey)
export class RotateKeyHandler implements ICommandHandler<RotateKey> {
  constructor(
    private readonly writer: NamespaceWriter,
    private readonly clock: Clock,
    private readonly namespaces: NamespacesReadModel,
    private readonly keys: NamespaceKeys,
    private readonly backend: StoreBackend,
  ) {}

  execute({ namespace, meta }: RotateKey): Promise<KeyRotation> {
    // The key is in the vault before its event: a crash in between leaves a key no event names, which is harmless.
    const rotation = mayChangeVault(this.writer, this.namespaces, this.backend, meta, namespace, 'rotate-key')
      ? this.keys.rotate(namespace, this.clock.now()) : UNUSED_ROTATION;
    return handleCommand(this.writer, this.clock, meta, {
      namespace,
      keys: [],
      operation: 'rotate-key',
      input: {},
      decide: (state) => {
        requireEncrypted(state);
        return [{ type: 'StoreKeyRotated', data: { namespace, keyId: rotation.keyId, previousKeyId: rotation.previousKeyId } }];
      },
      respond: () => rotation,
    });
  }
}

@CommandHandler(ShredKeys)
export class ShredKeysHandler implements ICommandHandler<ShredKeys> {
  constructor(
    private readonly writer: NamespaceWriter,
    private readonly clock: Clock,
    private readonly namespaces: NamespacesReadModel,
    private readonly keys: NamespaceKeys,
    private readonly backend: StoreBackend,
  ) {}

  execute({ namespace, meta }: ShredKeys): Promise<KeysShreddedResult> {
    // Keys first: a crash before the event leaves them destroyed but unrecorded, never recorded but kept.
    const keyIds = mayChangeVault(this.writer, this.namespaces, this.backend, meta, namespace, 'shred-keys') ? this.keys.shred(namespace) : [];
    const shreddedAt = this.clock.now().toISOString();
    return handleCommand(this.writer, this.clock, meta, {
      namespace,
      keys: [],
      operation: 'shred-keys',
      input: {},
      decide: (state) => {
        requireEncrypted(state);
        return [{ type: 'StoreKeysShredded', data: { namespace, keyIds } }];
      },
      respond: () => ({ namespace, keyIds, shreddedAt }),
    });
  }
}

@QueryHandler(ListKeys)
export class ListKeysHandler implements IQueryHandler<ListKeys> {
  constructor(private readonly namespaces: NamespacesReadModel, private readonly keys: NamespaceKeys, private readonly access: AccessControl) {}

  async execute({ namespace, caller }: ListKeys): Promise<{ items: DataKeyInfo[] }> {
    this.access.require(caller, 'admin', validateNamespace(namespace));
    requireEncryptedNamespace(this.namespaces, namespace);
    return { items: this.keys.list(namespace) };
  }
}

export const KEY_COMMAND_HANDLERS = [RotateKeyHandler, ShredKeysHandler, ListKeysHandler];
