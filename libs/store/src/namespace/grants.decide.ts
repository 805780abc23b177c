import { Access, AccessGranted, AccessRevoked, isAccess } from './access';
import { NamespaceState, requireExists } from './namespace';
import { invalid, StoreError } from '../shared/errors';

// A user or role name: what an API key or a JWT may carry (visible ASCII), at most 128 characters.
const SUBJECT_RE = /^(user|role):[\x21-\x7e]{1,128}$/;

/** `user:<name>` or `role:<name>`, the name 1-128 visible ASCII characters. */
export function validateSubject(subject: unknown): string {
  if (typeof subject !== 'string' || !SUBJECT_RE.test(subject)) {
    throw invalid('a subject is user:<name> or role:<name>, the name 1-128 visible ASCII characters', {
      field: 'subject', ...(typeof subject === 'string' && { subject: subject.slice(0, 140) }),
    });
  }
  return subject;
}

export function validateAccess(access: unknown): Access {
  if (!isAccess(access)) throw invalid('access is "read", "write" or "admin"', { field: 'access' });
  return access;
}

/** Grant: gives a subject access to an existing namespace, replacing what it had; the same access again writes nothing. */
export function decideGrant(state: NamespaceState, subject: unknown, access: unknown): AccessGranted[] {
  const s = validateSubject(subject);
  const a = validateAccess(access);
  requireExists(state);
  return state.grants[s] === a ? [] : [{ type: 'StoreAccessGranted', data: { namespace: state.name, subject: s, access: a } }];
}

/** Revoke: GRANT_NOT_FOUND when the subject has no grant on the namespace. */
export function decideRevoke(state: NamespaceState, subject: unknown): AccessRevoked[] {
  const s = validateSubject(subject);
  requireExists(state);
  if (!Object.hasOwn(state.grants, s)) throw new StoreError('GRANT_NOT_FOUND', `namespace ${state.name} has no grant for ${s}`, { subject: s });
  return [{ type: 'StoreAccessRevoked', data: { namespace: state.name, subject: s } }];
}

/** The events that bring a namespace's grants to those the config file declares (none: all revoked). */
export function decideDeclaredGrants(state: NamespaceState, declared: Readonly<Record<string, Access>>): (AccessGranted | AccessRevoked)[] {
  const sorted = (subjects: string[]) => subjects.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const revoked = sorted(Object.keys(state.grants).filter((s) => !Object.hasOwn(declared, s)))
    .map((subject): AccessRevoked => ({ type: 'StoreAccessRevoked', data: { namespace: state.name, subject } }));
  const granted = sorted(Object.keys(declared).filter((s) => state.grants[s] !== declared[s]))
    .map((subject): AccessGranted => ({ type: 'StoreAccessGranted', data: { namespace: state.name, subject, access: declared[subject] } }));
  return [...revoked, ...granted];
}
