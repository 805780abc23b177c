import { RecordedEvent } from '../event-store.port';
import { position } from '../position';
import { ProjectionWatch } from './projection-watch';

const event = (id: string, commit: number): RecordedEvent => ({
  id, type: 'T', data: {}, metadata: {}, stream: 's', revision: commit - 1, position: position('inc', commit), recordedAt: '',
});

describe('ProjectionWatch', () => {
  it('until resolves true once the condition holds after a notify', async () => {
    const watch = new ProjectionWatch();
    let projected = 0;
    const reached = watch.until(() => projected >= 2, 10_000);
    projected = 2;
    watch.notify();
    await expect(reached).resolves.toBe(true);
  });

  it('until resolves false when the time passes first', async () => {
    await expect(new ProjectionWatch().until(() => false, 5)).resolves.toBe(false);
  });

  it('until rejects with what the condition throws', async () => {
    let calls = 0;
    const failing = new ProjectionWatch(1).until(() => {
      if (++calls > 1) throw new Error('closed');
      return false;
    }, 10_000);
    await expect(failing).rejects.toThrow('closed');
  });

  it('until polls for read models another process projects', async () => {
    let checks = 0;
    await expect(new ProjectionWatch(1).until(() => ++checks > 3, 10_000)).resolves.toBe(true);
  });

  it('expect runs once every expected event is applied, with the events in order', async () => {
    const watch = new ProjectionWatch();
    const seenAtRun: string[] = [];
    const { result } = watch.expect(['a', 'b'], (events) => {
      seenAtRun.push('run');
      return events.map((e) => e.id);
    }, 10_000, () => new Error('late'));
    watch.applied(event('x', 1));
    watch.applied(event('a', 2));
    expect(seenAtRun).toEqual([]);
    watch.applied(event('b', 3));
    expect(seenAtRun).toEqual(['run']);
    await expect(result).resolves.toEqual(['a', 'b']);
  });

  it('expect rejects with the timeout error, or with what the function throws', async () => {
    const watch = new ProjectionWatch();
    await expect(watch.expect(['a'], () => 1, 5, () => new Error('late')).result).rejects.toThrow('late');
    const failing = watch.expect(['b'], () => {
      throw new Error('respond failed');
    }, 10_000, () => new Error('late'));
    watch.applied(event('b', 1));
    await expect(failing.result).rejects.toThrow('respond failed');
  });

  it('expect with an infinite wait keeps no timer and still runs once the events are applied', async () => {
    jest.useFakeTimers();
    try {
      const watch = new ProjectionWatch();
      const { result } = watch.expect(['a'], (events) => events.length, Infinity, () => new Error('late'));
      expect(jest.getTimerCount()).toBe(0);
      watch.applied(event('a', 1));
      await expect(result).resolves.toBe(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('a cancelled expectation runs nothing', () => {
    const watch = new ProjectionWatch();
    let runs = 0;
    watch.expect(['a'], () => runs++, 10_000, () => new Error('late')).cancel();
    watch.applied(event('a', 1));
    expect(runs).toBe(0);
  });
});
