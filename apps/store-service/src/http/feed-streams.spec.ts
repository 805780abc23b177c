import { StoreError } from '@app/store';
import { FeedDrop, FeedStreams } from './feed-streams';

/** A stream whose unsent bytes the test sets. */
function sink(streams: FeedStreams, caller = 'a') {
  const state = { unsent: 0, dropped: undefined as FeedDrop | undefined };
  const slot = streams.admit(caller);
  slot.attach({ unsent: () => state.unsent, drop: (why) => (state.dropped = why) });
  return { state, slot, write: (unsent: number) => ((state.unsent = unsent), slot.wrote()) };
}

const limits = { maxStreams: 4, maxStreamsPerCaller: 3, bufferBytes: 1000, totalBufferBytes: 1500 };
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as StoreError).code;
  }
  return undefined;
};

describe('FeedStreams', () => {
  it('caps streams per caller (TOO_MANY_STREAMS) and in all (FEED_FULL), and frees a slot once released', () => {
    const streams = new FeedStreams(limits);
    const a = [sink(streams), sink(streams), sink(streams)];
    expect(codeOf(() => streams.admit('a'))).toBe('TOO_MANY_STREAMS');
    sink(streams, 'b');
    expect(codeOf(() => streams.admit('c'))).toBe('FEED_FULL');
    a[0].slot.release();
    a[0].slot.release(); // idempotent
    expect(streams.open).toBe(3);
    expect(codeOf(() => streams.admit('c'))).toBeUndefined();
  });

  it('drops one stream past its own budget as a slow consumer', () => {
    const streams = new FeedStreams(limits);
    const slow = sink(streams);
    slow.write(1001);
    expect(slow.state.dropped).toBe('slow_consumer');
    expect(streams.unsentTotal).toBe(0);
  });

  it('past the total, drops the streams holding the most until the rest fits; readers (nothing unsent) stay', () => {
    const streams = new FeedStreams(limits);
    const [small, big, reader] = [sink(streams), sink(streams), sink(streams, 'b')];
    small.write(600);
    reader.write(0);
    big.write(950);
    expect([small.state.dropped, big.state.dropped, reader.state.dropped]).toEqual([undefined, 'buffer_budget', undefined]);
    expect(streams.unsentTotal).toBe(600);
    small.write(1000);
    expect(small.state.dropped).toBeUndefined();
    small.slot.release();
    big.slot.release();
    expect(streams.unsentTotal).toBe(0);
  });

  it('recounts streams that drained since their last write before dropping any', () => {
    const streams = new FeedStreams(limits);
    const [drained, busy] = [sink(streams), sink(streams)];
    drained.write(900);
    drained.state.unsent = 0; // sent since, without writing again
    busy.write(900);
    expect([drained.state.dropped, busy.state.dropped]).toEqual([undefined, undefined]);
    expect(streams.unsentTotal).toBe(900);
  });
});
