import { EntryEvent } from '../../namespace/entry';
import { EntryRecord, evolveRecord, isVisible } from './entry-record';
import { testEvents } from '../../namespace/test-events';

const { created, updated, restored, deleted, expired, purged } = testEvents('app');
const at = (revision: number) => ({ revision, timestamp: `2030-01-01T00:00:0${revision}.000Z` });
const fold = (...events: EntryEvent[]) =>
  events.reduce<EntryRecord | undefined>((record, event, i) => evolveRecord(record, event, at(i + 1)), undefined);

describe('evolveRecord', () => {
  it('a creation starts the record; updates keep createdAt and move updatedAt and modRevision', () => {
    expect(fold(created('a', 'one', 5000), updated('a', 2, 'two', null, { m: 'x' }))).toEqual({
      key: 'a', value: 'two', metadata: { m: 'x' }, version: 2, expiresAt: null,
      createdAt: at(1).timestamp, updatedAt: at(2).timestamp, modRevision: 2, deletedAt: null,
    });
  });

  it('a delete keeps the value and marks the time; a restore clears it and keeps createdAt', () => {
    const gone = fold(created('a', 'one'), deleted('a', 1));
    expect(gone).toMatchObject({ value: 'one', version: 1, deletedAt: at(2).timestamp, modRevision: 2, updatedAt: at(1).timestamp });
    expect(isVisible(gone!, 0)).toBe(false);
    expect(fold(created('a', 'one'), deleted('a', 1), restored('a', 2, 'one'))).toMatchObject({
      version: 2, deletedAt: null, createdAt: at(1).timestamp, updatedAt: at(3).timestamp, modRevision: 3,
    });
  });

  it('a creation over a deleted record starts afresh', () => {
    expect(fold(created('a', 'one'), deleted('a', 1), created('a', 'two'))).toMatchObject({ version: 1, value: 'two', createdAt: at(3).timestamp });
  });

  it('a TTL change moves version and expiry, keeping the value', () => {
    expect(fold(created('a', 'one'), { type: 'StoreEntryTtlSet', data: { namespace: 'app', key: 'a', version: 2, expiresAt: 99 } }))
      .toMatchObject({ value: 'one', version: 2, expiresAt: 99, modRevision: 2, updatedAt: at(2).timestamp });
  });

  it('expiry and purge end the record', () => {
    expect(fold(created('a'), expired('a', 1))).toBeUndefined();
    expect(fold(created('a'), deleted('a', 1), purged('a', 1))).toBeUndefined();
  });

  it('is visible until its expiry, exclusive', () => {
    const record = fold(created('a', 'v', 1000))!;
    expect([isVisible(record, 999), isVisible(record, 1000)]).toEqual([true, false]);
  });
});
