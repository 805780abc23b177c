import { NamespaceCreated, NamespaceState } from './namespace';

/** CreateNamespace is a no-op on an existing namespace (PUT is idempotent). */
export function decideCreateNamespace(state: NamespaceState): NamespaceCreated[] {
  return state.exists ? [] : [{ type: 'StoreNamespaceCreated', data: { namespace: state.name } }];
}
