import { decider } from '../namespace/given-when-then';
import { evolveLock, initialLockState, LockEvent, LockState } from './lock';
import { decideAcquire, decideExpire, decideRelease, decideRenew, nextToken } from './lock.decide';
import { checkWriteAgainstLocks } from './write-check';

const T0 = new Date('2026-01-01T00:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const floor = (d: Date) => d.getTime() * 1000;
const lock = () => decider<LockState, LockEvent>(() => initialLockState('jobs'), evolveLock);

const acquired = (owner: string, token: number, expiresInSeconds: number, from = T0): LockEvent =>
  ({ type: 'StoreLockAcquired', data: { lock: 'jobs', owner, token, expiresAt: from.getTime() + expiresInSeconds * 1000 } });
const released = (token: number): LockEvent => ({ type: 'StoreLockReleased', data: { lock: 'jobs', token } });
const expired = (token: number, expiresAt: number): LockEvent => ({ type: 'StoreLockExpired', data: { lock: 'jobs', token, expiresAt } });

describe('lock decisions', () => {
  const TOKEN = floor(T0);

  describe('acquire', () => {
    it('grants a lock never held, with a token from the clock floor', () =>
      lock().given().when((s) => decideAcquire(s, 'a', 30, T0)).then(acquired('a', TOKEN, 30)));

    it('refuses while another holds it, naming the holder and expiry', () =>
      lock().given(acquired('a', TOKEN, 30)).when((s) => decideAcquire(s, 'b', 30, at(29)))
        .thenFails('LOCK_HELD', { lock: 'jobs', owner: 'a', expiresAt: at(30).toISOString() }));

    it('refuses the same owner too: a holder renews', () =>
      lock().given(acquired('a', TOKEN, 30)).when((s) => decideAcquire(s, 'a', 30, at(1))).thenFails('LOCK_HELD'));

    it('after a release grants a higher token', () =>
      lock().given(acquired('a', TOKEN, 30), released(TOKEN)).when((s) => decideAcquire(s, 'b', 10, T0))
        .then(acquired('b', TOKEN + 1, 10)));

    it('once the lease ran out records its expiry first, then grants', () =>
      lock().given(acquired('a', TOKEN, 30)).when((s) => decideAcquire(s, 'b', 5, at(30)))
        .then(expired(TOKEN, at(30).getTime()), acquired('b', floor(at(30)), 5, at(30))));

    it('never grants a token below one granted before, even with the clock set back', () =>
      lock().given(acquired('a', floor(at(100)), 1, at(100)), released(floor(at(100)))).when((s) => decideAcquire(s, 'b', 5, T0))
        .then(acquired('b', floor(at(100)) + 1, 5)));

    it.each([
      ['an empty owner', '', 30], ['an owner that is no string', 7, 30], ['an owner with a control character', 'a\nb', 30],
      ['a ttl of 0', 'a', 0], ['a fractional ttl', 'a', 1.5], ['a ttl over a day', 'a', 86_401], ['a ttl that is a string', 'a', '30'],
    ])('refuses %s', (_, owner, ttl) => lock().given().when((s) => decideAcquire(s, owner, ttl, T0)).thenFails('VALIDATION_FAILED'));
  });

  describe('renew', () => {
    it('moves the expiry of the live holder', () =>
      lock().given(acquired('a', TOKEN, 30)).when((s) => decideRenew(s, TOKEN, 60, at(20)))
        .then({ type: 'StoreLockRenewed', data: { lock: 'jobs', token: TOKEN, expiresAt: at(80).getTime() } }));

    it('refuses an old token', () =>
      lock().given(acquired('a', TOKEN, 30), released(TOKEN), acquired('b', TOKEN + 1, 30)).when((s) => decideRenew(s, TOKEN, 30, at(1)))
        .thenFails('LOCK_TOKEN_INVALID', { lock: 'jobs', token: TOKEN }));

    it('refuses once the lease ran out, even before its expiry is recorded', () =>
      lock().given(acquired('a', TOKEN, 30)).when((s) => decideRenew(s, TOKEN, 30, at(30))).thenFails('LOCK_TOKEN_INVALID'));

    it('refuses a lock never held', () => lock().given().when((s) => decideRenew(s, 1, 30, T0)).thenFails('LOCK_TOKEN_INVALID'));

    it.each([[0], [-1], [1.5], ['1']])('refuses the token %p', (token) =>
      lock().given(acquired('a', TOKEN, 30)).when((s) => decideRenew(s, token, 30, T0)).thenFails('VALIDATION_FAILED'));
  });

  describe('release', () => {
    it('lets the live holder go', () =>
      lock().given(acquired('a', TOKEN, 30)).when((s) => decideRelease(s, TOKEN, at(1))).then(released(TOKEN)));

    it('refuses a wrong token, a released lock and a lapsed lease', () => {
      lock().given(acquired('a', TOKEN, 30)).when((s) => decideRelease(s, TOKEN + 1, at(1))).thenFails('LOCK_TOKEN_INVALID');
      lock().given(acquired('a', TOKEN, 30), released(TOKEN)).when((s) => decideRelease(s, TOKEN, at(1))).thenFails('LOCK_TOKEN_INVALID');
      lock().given(acquired('a', TOKEN, 30)).when((s) => decideRelease(s, TOKEN, at(31))).thenFails('LOCK_TOKEN_INVALID');
    });
  });

  describe('expire', () => {
    it('records a lapsed lease once', () => {
      lock().given(acquired('a', TOKEN, 30)).when((s) => decideExpire(s, at(30))).then(expired(TOKEN, at(30).getTime()));
      lock().given(acquired('a', TOKEN, 30), expired(TOKEN, at(30).getTime())).when((s) => decideExpire(s, at(40))).then();
    });

    it('records nothing for a live, renewed or released lease', () => {
      lock().given(acquired('a', TOKEN, 30)).when((s) => decideExpire(s, at(29))).then();
      const renewed: LockEvent = { type: 'StoreLockRenewed', data: { lock: 'jobs', token: TOKEN, expiresAt: at(90).getTime() } };
      lock().given(acquired('a', TOKEN, 30), renewed).when((s) => decideExpire(s, at(60))).then();
      lock().given(acquired('a', TOKEN, 30), released(TOKEN)).when((s) => decideExpire(s, at(60))).then();
    });
  });

  it('folds the highest token and the revision', () => {
    const state = [acquired('a', 5, 30), released(5), acquired('b', 9, 30)].reduce(evolveLock, initialLockState('jobs'));
    expect(state).toEqual({ name: 'jobs', revision: 2, lastToken: 9, holder: { owner: 'b', token: 9, expiresAt: at(30).getTime() } });
    expect(nextToken(state, T0)).toBe(floor(T0));
    expect(nextToken({ ...state, lastToken: floor(T0) }, T0)).toBe(floor(T0) + 1);
  });
});

describe('writes against locks', () => {
  const frozen = [acquired('ops', 7, 30)].reduce(evolveLock, initialLockState('namespace/billing'));
  const free = initialLockState('namespace/billing');
  const fence = [acquired('a', 7, 30), released(7), acquired('b', 8, 30)].reduce(evolveLock, initialLockState('jobs'));
  const refusal = (run: () => void) => {
    try {
      run();
    } catch (error) {
      return (error as { code: string }).code;
    }
    return 'written';
  };

  it('refuses a write to a frozen namespace without the freeze token (LOCKED)', () => {
    expect(refusal(() => checkWriteAgainstLocks('billing', frozen, undefined, {}, at(1)))).toBe('LOCKED');
    expect(refusal(() => checkWriteAgainstLocks('billing', frozen, undefined, { lockToken: 6 }, at(1)))).toBe('LOCKED');
    expect(refusal(() => checkWriteAgainstLocks('billing', frozen, undefined, { lockToken: 7 }, at(1)))).toBe('written');
    expect(refusal(() => checkWriteAgainstLocks('billing', frozen, undefined, {}, at(30)))).toBe('written');
    expect(refusal(() => checkWriteAgainstLocks('billing', free, undefined, {}, at(1)))).toBe('written');
  });

  it('refuses a fenced write once its lock was granted a higher token (FENCED)', () => {
    const with7 = { fencing: { lock: 'jobs', token: 7 } };
    expect(refusal(() => checkWriteAgainstLocks('billing', free, fence, with7, at(1)))).toBe('FENCED');
    expect(refusal(() => checkWriteAgainstLocks('billing', free, fence, { fencing: { lock: 'jobs', token: 8 } }, at(1)))).toBe('written');
    expect(refusal(() => checkWriteAgainstLocks('billing', free, fence, { fencing: { lock: 'jobs', token: 9 } }, at(1)))).toBe('LOCK_TOKEN_INVALID');
    // The freeze is checked first.
    expect(refusal(() => checkWriteAgainstLocks('billing', frozen, fence, with7, at(1)))).toBe('LOCKED');
  });
});
