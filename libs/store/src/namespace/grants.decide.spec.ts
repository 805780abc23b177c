import { AccessGranted, AccessRevoked, Caller, isAllowed, requireAccess } from './access';
import { namespaceDecider } from './given-when-then';
import { decideDeclaredGrants, decideGrant, decideRevoke } from './grants.decide';
import { NamespaceDeleted } from './namespace';
import { testEvents } from './test-events';
import { StoreError } from '../shared/errors';

const NS = 'app';
const { given } = namespaceDecider(NS);
const { nsCreated } = testEvents(NS);
const granted = (subject: string, access: AccessGranted['data']['access']): AccessGranted =>
  ({ type: 'StoreAccessGranted', data: { namespace: NS, subject, access } });
const revoked = (subject: string): AccessRevoked => ({ type: 'StoreAccessRevoked', data: { namespace: NS, subject } });
const nsDeleted: NamespaceDeleted = { type: 'StoreNamespaceDeleted', data: { namespace: NS } };
const alice: Caller = { user: 'alice', roles: ['dev'] };

describe('grants', () => {
  it('StoreAccessGranted gives a subject access; another access replaces it; the same again writes nothing', () => {
    given(nsCreated).when((s) => decideGrant(s, 'user:alice', 'read')).then(granted('user:alice', 'read'));
    given(nsCreated, granted('user:alice', 'read')).when((s) => decideGrant(s, 'user:alice', 'write')).then(granted('user:alice', 'write'));
    given(nsCreated, granted('role:dev', 'admin')).when((s) => decideGrant(s, 'role:dev', 'admin')).then();
  });

  it('StoreAccessRevoked takes it away; a subject without a grant is GRANT_NOT_FOUND', () => {
    given(nsCreated, granted('user:alice', 'read')).when((s) => decideRevoke(s, 'user:alice')).then(revoked('user:alice'));
    given(nsCreated, granted('user:alice', 'read'), revoked('user:alice')).when((s) => decideRevoke(s, 'user:alice'))
      .thenFails('GRANT_NOT_FOUND', { subject: 'user:alice' });
  });

  it('refuses bad subjects and access levels, and namespaces that do not exist', () => {
    for (const subject of ['alice', 'group:x', 'user:', 'user:a b', `user:${'x'.repeat(129)}`, 'role:\u00e9', 42]) {
      given(nsCreated).when((s) => decideGrant(s, subject, 'read')).thenFails('VALIDATION_FAILED');
    }
    for (const access of ['READ', 'owner', '', null, 1]) {
      given(nsCreated).when((s) => decideGrant(s, 'user:alice', access)).thenFails('VALIDATION_FAILED', { field: 'access' });
    }
    given().when((s) => decideGrant(s, 'user:alice', 'read')).thenFails('NAMESPACE_NOT_FOUND');
    given().when((s) => decideRevoke(s, 'user:alice')).thenFails('NAMESPACE_NOT_FOUND');
  });

  it('go with a deleted namespace: a namespace created again starts without grants', () => {
    const { state } = given(nsCreated, granted('user:alice', 'admin'), nsDeleted, nsCreated);
    expect(state.grants).toEqual({});
  });

  it('the config file declares exactly the grants a namespace gets', () => {
    given(nsCreated, granted('user:alice', 'read'), granted('role:ops', 'admin'))
      .when((s) => decideDeclaredGrants(s, { 'user:alice': 'write', 'user:bob': 'read' }))
      .then(revoked('role:ops'), granted('user:alice', 'write'), granted('user:bob', 'read'));
    given(nsCreated, granted('user:alice', 'read')).when((s) => decideDeclaredGrants(s, { 'user:alice': 'read' })).then();
  });
});

describe('access decisions', () => {
  const grantsOf = (...events: AccessGranted[]) => given(nsCreated, ...events).state.grants;

  it('write implies read, admin implies write; nothing without a grant', () => {
    expect(['read', 'write', 'admin'].map((a) => isAllowed(alice, grantsOf(granted('user:alice', 'write')), a as 'read'))).toEqual([true, true, false]);
    expect(['read', 'write', 'admin'].map((a) => isAllowed(alice, grantsOf(granted('user:alice', 'admin')), a as 'read'))).toEqual([true, true, true]);
    expect(isAllowed(alice, grantsOf(), 'read')).toBe(false);
    expect(isAllowed(alice, grantsOf(granted('user:bob', 'admin')), 'read')).toBe(false);
  });

  it('a role grant counts for its holders, and the highest of user and role grants wins', () => {
    const grants = grantsOf(granted('user:alice', 'read'), granted('role:dev', 'write'));
    expect(isAllowed(alice, grants, 'write')).toBe(true);
    expect(isAllowed({ user: 'carol', roles: [] }, grants, 'read')).toBe(false);
  });

  it('the admin role may do everything, store-wide calls included', () => {
    expect(() => requireAccess({ user: 'root', roles: ['admin'] }, 'store-admin', undefined, () => ({}))).not.toThrow();
    expect(isAllowed({ user: 'root', roles: ['admin'] }, {}, 'admin')).toBe(true);
  });

  it('FORBIDDEN names the access asked for; an unchecked caller (authentication off) passes', () => {
    const refusal = (() => {
      try {
        requireAccess(alice, 'write', NS, () => grantsOf(granted('user:alice', 'read')));
      } catch (error) {
        return error as StoreError;
      }
    })();
    expect(refusal).toMatchObject({ code: 'FORBIDDEN', details: { namespace: NS, access: 'write' } });
    expect(() => requireAccess(alice, 'store-admin', undefined, () => ({}))).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => requireAccess(undefined, 'store-admin', undefined, () => ({}))).not.toThrow();
  });

  it('a role named like a subject prefix does not confuse users with roles', () => {
    const grants = grantsOf(granted('role:alice', 'admin'));
    expect(isAllowed({ user: 'alice', roles: [] }, grants, 'read')).toBe(false);
  });
});
