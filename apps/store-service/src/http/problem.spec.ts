import { AppendTooLargeError, BackendUnavailableError } from '@app/event-store';
import { StoreError } from '@app/store';
import { toProblem } from './problem';

describe('problem mapping of the backends\' faults and of read consistency', () => {
  it('an unreachable or failing backend is 503 BACKEND_UNAVAILABLE, with its reason', () => {
    expect(toProblem(new BackendUnavailableError('not connected to the event log: refused'))).toMatchObject({
      status: 503, code: 'BACKEND_UNAVAILABLE', detail: 'not connected to the event log: refused',
    });
  });

  it('an append over EventStoreDB\'s size limit is 413 PAYLOAD_TOO_LARGE', () => {
    expect(toProblem(new AppendTooLargeError('EventStoreDB refused the append: over its maximum append size (1048576 bytes)'))).toMatchObject({
      status: 413, code: 'PAYLOAD_TOO_LARGE', detail: 'EventStoreDB refused the append: over its maximum append size (1048576 bytes); nothing was written',
    });
  });

  it('minPosition: malformed 400, another incarnation 410, not reached 504', () => {
    expect(toProblem(new StoreError('CURSOR_INVALID', 'x', { minPosition: 'y' }))).toMatchObject({ status: 400, minPosition: 'y' });
    expect(toProblem(new StoreError('CURSOR_STALE', 'x'))).toMatchObject({ status: 410, code: 'CURSOR_STALE' });
    expect(toProblem(new StoreError('READ_TIMEOUT', 'x'))).toMatchObject({ status: 504, code: 'READ_TIMEOUT' });
  });
});
