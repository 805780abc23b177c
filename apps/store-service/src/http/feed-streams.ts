import { StoreError } from '@app/store';

export interface FeedStreamLimits {
  /** Open streams of the whole service. */
  readonly maxStreams: number;
  /** Open streams of one caller: the authenticated user, or the client address while authentication is off. */
  readonly maxStreamsPerCaller: number;
  /** Unsent bytes after which one stream is dropped as a slow consumer. */
  readonly bufferBytes: number;
  /** Unsent bytes of all streams together after which the streams holding the most are dropped. */
  readonly totalBufferBytes: number;
}

/** Why the service drops a stream it has admitted. */
export type FeedDrop = 'slow_consumer' | 'buffer_budget';

/** A stream as the registry sees it: how much it has not sent yet, and how to drop it. */
export interface FeedSink {
  unsent(): number;
  drop(why: FeedDrop): void;
}

/** One admitted stream: a slot counted against the caps until released. */
export interface FeedSlot {
  /** The stream is live: its unsent data counts from now on. */
  attach(sink: FeedSink): void;
  /** After each write: drops this stream, or the streams holding the most, when a budget is passed. */
  wrote(): void;
  /** The stream is gone (its socket closed, or it never started): frees the slot and its share of the budget. Idempotent. */
  release(): void;
}

interface Entry {
  sink?: FeedSink;
  /** Unsent bytes as last counted into the total. */
  counted: number;
}

/**
 * The change feed's store-wide bounds: how many streams are open (in all and per caller) and how
 * many bytes they have not sent yet. The total is kept by each stream's own writes (a stream that
 * drained since its last write is over-counted, never under-counted) and recounted from every
 * stream before anything is dropped; then the streams holding the most unsent data are dropped
 * until the total fits again, so subscribers that keep reading (nothing unsent) are never dropped
 * for the ones that do not.
 */
export class FeedStreams {
  private readonly entries = new Set<Entry>();
  private readonly perCaller = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: FeedStreamLimits) {}

  get open(): number {
    return this.entries.size;
  }

  /** Unsent bytes of all streams, as last counted. */
  get unsentTotal(): number {
    return this.total;
  }

  /** Reserves a slot for a caller, before anything asynchronous: concurrent requests cannot pass a cap together. */
  admit(caller: string): FeedSlot {
    const mine = this.perCaller.get(caller) ?? 0;
    if (mine >= this.limits.maxStreamsPerCaller) {
      throw new StoreError('TOO_MANY_STREAMS', `at most ${this.limits.maxStreamsPerCaller} feed streams per caller`, {
        maxStreamsPerCaller: this.limits.maxStreamsPerCaller,
      });
    }
    if (this.entries.size >= this.limits.maxStreams) {
      throw new StoreError('FEED_FULL', `the service serves at most ${this.limits.maxStreams} feed streams at once; retry later`, {
        maxStreams: this.limits.maxStreams,
        retryAfterSeconds: 1,
      });
    }
    const entry: Entry = { counted: 0 };
    this.entries.add(entry);
    this.perCaller.set(caller, mine + 1);
    let released = false;
    return {
      attach: (sink) => {
        if (!released) entry.sink = sink;
      },
      wrote: () => {
        if (!released) this.wrote(entry);
      },
      release: () => {
        if (released) return;
        released = true;
        this.entries.delete(entry);
        this.total -= entry.counted;
        const left = (this.perCaller.get(caller) ?? 1) - 1;
        if (left > 0) this.perCaller.set(caller, left);
        else this.perCaller.delete(caller);
      },
    };
  }

  private wrote(entry: Entry): void {
    const sink = entry.sink;
    if (!sink) return;
    const unsent = sink.unsent();
    this.total += unsent - entry.counted;
    entry.counted = unsent;
    if (unsent > this.limits.bufferBytes) {
      this.forget(entry);
      sink.drop('slow_consumer');
      return;
    }
    if (this.total > this.limits.totalBufferBytes) this.rebalance();
  }

  /** Recounts every stream; while the total is over the budget, drops the stream holding the most. */
  private rebalance(): void {
    this.total = 0;
    for (const entry of this.entries) {
      entry.counted = entry.sink ? entry.sink.unsent() : 0;
      this.total += entry.counted;
    }
    const heaviest = [...this.entries].filter((e) => e.counted > 0).sort((a, b) => b.counted - a.counted);
    for (const entry of heaviest) {
      if (this.total <= this.limits.totalBufferBytes) break;
      const sink = entry.sink!;
      this.forget(entry);
      sink.drop('buffer_budget');
    }
  }

  /** A dropped stream's data no longer counts (it is released with its socket); its slot stays until then. */
  private forget(entry: Entry): void {
    this.total -= entry.counted;
    entry.counted = 0;
    entry.sink = undefined;
  }
}
