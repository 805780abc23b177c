import { untilAborted } from '../abort';
import { BackendUnavailableError } from '../errors';
import {
  Decide, decideThenAppend, EventData, EventStore, ExpectedRevision, ReadAllOptions, RecordedEvent, SubscribeOptions,
} from '../event-store.port';

/**
 * For tests of what runs on a log: a real adapter whose subscriptions can be held back (a reader
 * that lags) or dropped (a lost connection), and whose close is left to the test that owns it.
 * Not a stand-in for any particular backend.
 */
export class ControllableLog implements EventStore {
  private held = false;
  private waiting: (() => void)[] = [];
  private dropNext = false;

  constructor(private readonly inner: EventStore) {}

  get incarnation() {
    return this.inner.incarnation;
  }

  hold() {
    this.held = true;
  }

  resume() {
    this.held = false;
    for (const release of this.waiting.splice(0)) release();
  }

  /** The subscription fails instead of delivering its next event. */
  drop() {
    this.dropNext = true;
  }

  append(stream: string, events: readonly EventData[], expected: ExpectedRevision) {
    return this.inner.append(stream, events, expected);
  }

  /** Lock-free, as on a log shared by several processes: a writer in between is a ConcurrencyError. */
  appendDecided(stream: string, decide: Decide) {
    return decideThenAppend(this, stream, decide);
  }

  readStream(stream: string, fromRevision?: number, maxCount?: number) {
    return this.inner.readStream(stream, fromRevision, maxCount);
  }

  streamRevision(stream: string) {
    return this.inner.streamRevision(stream);
  }

  readAll(options: ReadAllOptions) {
    return this.inner.readAll(options);
  }

  headPosition() {
    return this.inner.headPosition();
  }

  async *subscribe(options: SubscribeOptions): AsyncGenerator<RecordedEvent> {
    for await (const event of this.inner.subscribe(options)) {
      while (this.held && !options.signal.aborted) await untilAborted(new Promise<void>((r) => this.waiting.push(r)), options.signal);
      if (options.signal.aborted) return;
      if (this.dropNext) {
        this.dropNext = false;
        throw new BackendUnavailableError('the subscription dropped');
      }
      yield event;
    }
  }

  async close() {
    // the test owns the log
  }
}
