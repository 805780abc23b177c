import { NamespaceKeys, SealableContent } from './sealed-values';
import { NamespacesReadModel } from '../read-models/namespaces/namespaces.read-model';

/**
 * Where a read answers values: those of an encrypted namespace are opened here (KEY_UNAVAILABLE
 * without the master key, VALUE_SHREDDED once its keys are destroyed); others pass as they are.
 */
export class SealedReads {
  constructor(private readonly namespaces: NamespacesReadModel, private readonly keys: NamespaceKeys) {}

  open<C extends SealableContent>(namespace: string, key: string, content: C): C {
    return this.namespaces.isEncrypted(namespace) ? this.keys.openContent(namespace, key, content) : content;
  }

  openAll<C extends SealableContent & { key: string }>(namespace: string, items: C[]): C[] {
    return this.namespaces.isEncrypted(namespace) ? items.map((item) => this.keys.openContent(namespace, item.key, item)) : items;
  }
}
