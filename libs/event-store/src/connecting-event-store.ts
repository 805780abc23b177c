import { sleep } from './abort';
import { BackendUnavailableError } from './errors';
import {
  AppendResult, Decide, EventData, EventStore, ExpectedRevision, ReadAllOptions, RecordedEvent, SubscribeOptions,
} from './event-store.port';
import { Position } from './position';

export interface ConnectingOptions {
  /** Wait before the second attempt, doubled after each failure up to `maxRetryMs`. */
  readonly firstRetryMs?: number;
  readonly maxRetryMs?: number;
  /** Told about every failed attempt, e.g. to log it. */
  readonly onFailure?: (error: unknown, attempt: number, retryInMs: number) => void;
}

/**
 * An event store opened in the background, retried until it opens: a service can start, and
 * answer BackendUnavailableError, while its backend is unreachable. Once open, every call goes to
 * the opened store, whose driver reconnects by itself.
 */
export class ConnectingEventStore implements EventStore {
  private store?: EventStore;
  private problem = 'connecting';
  private readonly stop = new AbortController();
  private readonly opened: Promise<EventStore | undefined>;

  constructor(open: () => Promise<EventStore>, private readonly options: ConnectingOptions = {}) {
    this.opened = this.connect(open);
  }

  get incarnation(): string {
    return this.require().incarnation;
  }

  /** The opened store, or undefined while connecting. */
  get current(): EventStore | undefined {
    return this.store;
  }

  /** Why the store is not open yet: the last failure. */
  get connectProblem(): string | undefined {
    return this.store ? undefined : this.problem;
  }

  /** The store once it is open; undefined when closed first. */
  whenOpen(): Promise<EventStore | undefined> {
    return this.opened;
  }

  async append(stream: string, events: readonly EventData[], expected: ExpectedRevision): Promise<AppendResult> {
    return this.require().append(stream, events, expected);
  }

  async appendDecided(stream: string, decide: Decide): Promise<AppendResult | undefined> {
    return this.require().appendDecided(stream, decide);
  }

  async readStream(stream: string, fromRevision?: number, maxCount?: number): Promise<RecordedEvent[]> {
    return this.require().readStream(stream, fromRevision, maxCount);
  }

  async streamRevision(stream: string): Promise<number | undefined> {
    return this.require().streamRevision(stream);
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.require().readAll(options);
  }

  async headPosition(): Promise<Position | undefined> {
    return this.require().headPosition();
  }

  async *subscribe(options: SubscribeOptions): AsyncGenerator<RecordedEvent> {
    yield* this.require().subscribe(options);
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.store?.close();
  }

  private require(): EventStore {
    if (this.stop.signal.aborted) throw new Error('event store is closed');
    if (!this.store) throw new BackendUnavailableError(`the event store is not connected yet: ${this.problem}`);
    return this.store;
  }

  private async connect(open: () => Promise<EventStore>): Promise<EventStore | undefined> {
    const { firstRetryMs = 250, maxRetryMs = 5000, onFailure } = this.options;
    for (let attempt = 1; !this.stop.signal.aborted; attempt++) {
      try {
        const store = await open();
        if (!this.stop.signal.aborted) return (this.store = store);
        await store.close();
      } catch (error) {
        this.problem = error instanceof Error ? error.message : String(error);
        const wait = Math.min(maxRetryMs, firstRetryMs * 2 ** (attempt - 1));
        onFailure?.(error, attempt, wait);
        await sleep(wait, this.stop.signal);
      }
    }
    return undefined;
  }
}
