import { NamespaceCreated, NamespaceState } from './namespace';
import { StoreError } from '../shared/errors';

/** CreateNamespace is a no-op on an existing namespace (PUT is idempotent); encryption is chosen at creation only. */
export function decideCreateNamespace(state: NamespaceState, encrypted = false): NamespaceCreated[] {
  if (state.exists) {
    if (encrypted && !state.encrypted) {
      throw new StoreError('NAMESPACE_NOT_ENCRYPTED', `namespace ${state.name} exists unencrypted; encryption is chosen when a namespace is created`, {
        namespace: state.name,
      });
    }
    return [];
  }
  return [{ type: 'StoreNamespaceCreated', data: encrypted ? { namespace: state.name, encrypted: true } : { namespace: state.name } }];
}

/** Rotation and shredding are for encrypted namespaces only. */
export function requireEncrypted(state: NamespaceState): void {
  if (!state.exists) throw new StoreError('NAMESPACE_NOT_FOUND', `no namespace ${state.name}`, { namespace: state.name });
  if (!state.encrypted) {
    throw new StoreError('NAMESPACE_NOT_ENCRYPTED', `namespace ${state.name} is not encrypted: it has no data keys`, { namespace: state.name });
  }
}
