import { Grants } from '../namespace/access';
import { StoreError } from '../shared/errors';
import { RequestMeta } from '../shared/request-meta';
import { GrantWritePolicy, OPERATION_ACCESS, WriteOperation } from './write-policy';

const grants: Record<string, Grants> = { shop: { 'user:rita': 'read', 'user:will': 'write', 'role:leads': 'admin' } };
const policy = new GrantWritePolicy((namespace) => grants[namespace] ?? {});
const meta = (user: string, roles: string[] = []): RequestMeta =>
  ({ actor: user, roles, caller: { user, roles }, correlationId: 'c', causationId: 'c' });

/** The operations the caller may run on `namespace`. */
function allowed(m: RequestMeta, namespace = 'shop'): WriteOperation[] {
  return (Object.keys(OPERATION_ACCESS) as WriteOperation[]).filter((operation) => {
    try {
      policy.authorise(m, { namespace, operation });
      return true;
    } catch (error) {
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).code).toBe('FORBIDDEN');
      return false;
    }
  });
}

const byNeed = (...needs: string[]) => (Object.keys(OPERATION_ACCESS) as WriteOperation[]).filter((o) => needs.includes(OPERATION_ACCESS[o]));

describe('the write policy', () => {
  it('read allows no write; write allows the data changes; namespace admin also its governance; none the namespace lifecycle', () => {
    expect(allowed(meta('rita'))).toEqual([]);
    expect(allowed(meta('will'))).toEqual(byNeed('write'));
    expect(allowed(meta('lee', ['leads']))).toEqual(byNeed('write', 'admin'));
    expect(byNeed('write')).toEqual(expect.arrayContaining(['put-entry', 'transaction', 'rollback']));
    expect(byNeed('admin')).toEqual(expect.arrayContaining(['grant', 'revoke', 'set-tag', 'set-quota']));
    expect(byNeed('store-admin')).toEqual(expect.arrayContaining(['create-namespace', 'delete-namespace']));
  });

  it('grants count on their own namespace only', () => {
    expect(allowed(meta('will'), 'vault')).toEqual([]);
    expect(allowed(meta('lee', ['leads']), 'vault')).toEqual([]);
  });

  it('the admin role may run every operation; an unchecked caller (authentication off, the service itself) too', () => {
    const all = Object.keys(OPERATION_ACCESS);
    expect(allowed(meta('root', ['admin']), 'vault')).toEqual(all);
    expect(allowed({ actor: 'anonymous', correlationId: 'c', causationId: 'c' }, 'vault')).toEqual(all);
  });

  it('a user named like a role, or a role named like a user, gets nothing of the other', () => {
    expect(allowed(meta('leads'))).toEqual([]);
    expect(allowed(meta('x', ['will']))).toEqual([]);
  });
});
