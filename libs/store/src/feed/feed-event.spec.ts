import { position, RecordedEvent } from '@app/event-store';
import { requireStoreEvent } from '../events/store-event';
import { matchesFeed, toFeedEvent } from './feed-event';
import { forgetPurged } from '../events/forget';

const event = (over: Partial<RecordedEvent> = {}) => requireStoreEvent({
  id: 'e1',
  type: 'StoreEntryCreated',
  stream: 'store-app',
  revision: 3,
  position: position('abc', 7),
  recordedAt: '2026-01-01T00:00:01.000Z',
  data: { namespace: 'app', key: 'cfg/db', value: 'x', metadata: {}, version: 1, expiresAt: null },
  metadata: { actor: 'ann', correlationId: 'c', causationId: 'q', schemaVersion: 1, timestamp: '2026-01-01T00:00:00.000Z' },
  ...over,
});

describe('feed events', () => {
  it('carry the event data with type, stream, revision, position and who/why', () => {
    expect(toFeedEvent(event(), {})).toEqual({
      namespace: 'app', key: 'cfg/db', value: 'x', metadata: {}, version: 1, expiresAt: null,
      type: 'StoreEntryCreated', stream: 'store-app', revision: 3, position: 'abc:7',
      timestamp: '2026-01-01T00:00:00.000Z', actor: 'ann', correlationId: 'c', causationId: 'q',
    });
  });

  it('leave values out on request', () => {
    const data = { namespace: 'app', key: 'k', valueBase64: '/w==', metadata: {}, version: 2, expiresAt: null };
    const feedEvent = toFeedEvent(event({ data }), { withoutValues: true });
    expect(feedEvent).not.toHaveProperty('valueBase64');
    expect(feedEvent).toMatchObject({ key: 'k', version: 2 });
  });

  it('leave out the value and metadata of a write a later purge forgot, saying so', () => {
    const forgotten = forgetPurged(event({ data: { namespace: 'app', key: 'k', value: 'secret', metadata: { a: 'secret' }, version: 1, expiresAt: null } }), {
      purgedAfter: (ns, key, revision) => ns === 'app' && key === 'k' && revision < 9,
    });
    const feedEvent = toFeedEvent(forgotten, {});
    expect(feedEvent).toMatchObject({ key: 'k', version: 1, redacted: 'purged' });
    expect(JSON.stringify(feedEvent)).not.toContain('secret');
    expect(feedEvent).not.toHaveProperty('value');
    expect(feedEvent).not.toHaveProperty('metadata');
  });

  it.each([
    [{ namespace: 'app' }, true],
    [{ namespace: 'ap' }, false],
    [{ namespace: 'app2' }, false],
    [{ keyPrefix: 'cfg/' }, true],
    [{ keyPrefix: 'cfg/x' }, false],
    [{ types: new Set(['StoreEntryCreated']) }, true],
    [{ types: new Set(['StoreEntryDeleted']) }, false],
  ])('filter %j matches: %s', (filter, expected) => {
    expect(matchesFeed(event(), filter)).toBe(expected);
  });

  it('leaves out the store\'s idempotency bookkeeping', () => {
    const answered = event({ stream: 'store-_idempotency', type: 'StoreIdempotentRequestAnswered', data: { key: 'k', fingerprint: 'f', response: {} } });
    expect(matchesFeed(answered, {})).toBe(false);
  });

  it('a key prefix leaves out events without a key', () => {
    expect(matchesFeed(event({ type: 'StoreNamespaceCreated', data: { namespace: 'app' } }), { keyPrefix: '' })).toBe(false);
  });
});
