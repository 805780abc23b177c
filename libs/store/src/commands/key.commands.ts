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
    // Access and the namespace are checked before the vault is touched: a refused call changes nothing.
    this.writer.authorise(meta, { namespace: validateNamespace(namespace), operation: 'rotate-key' });
    requireEncryptedNamespace(this.namespaces, namespace);
    // The key is in the vault before its event: a crash in between leaves a key no event names, which is harmless.
    const rotation = alreadyWritten(this.backend, meta) ? UNUSED_ROTATION : this.keys.rotate(namespace, this.clock.now());
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
    this.writer.authorise(meta, { namespace: validateNamespace(namespace), operation: 'shred-keys' });
    requireEncryptedNamespace(this.namespaces, namespace);
    // Keys first: a crash before the event leaves them destroyed but unrecorded, never recorded but kept.
    const keyIds = alreadyWritten(this.backend, meta) ? [] : this.keys.shred(namespace);
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
