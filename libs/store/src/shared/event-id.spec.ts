import { newEventId } from './event-id';

describe('newEventId', () => {
  const at = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

  it('is a UUID of version 7 and the RFC 9562 variant', () => {
    expect(newEventId(at)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('carries the time in milliseconds in its first 48 bits', () => {
    expect(parseInt(newEventId(at).replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts by time, and ids of the same millisecond differ', () => {
    const ids = [newEventId(at), newEventId(at + 1), newEventId(at + 1000), newEventId(at + 86_400_000)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => newEventId(at))).size).toBe(1000);
  });
});
