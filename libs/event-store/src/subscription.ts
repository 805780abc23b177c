import { EventStore, RecordedEvent, SubscribeOptions } from './event-store.port';

const PAGE = 512;

/**
 * Catch-up-then-live subscription for adapters that can only read by position: read pages after
 * the last delivered position until the end of the log, then wait for `changed` (or a poll tick,
 * for writers in other processes) and read again. The switch from catch-up to live can neither
 * skip nor repeat an event, since every read starts strictly after the last delivered position.
 */
export async function* pollingSubscription(
  store: Pick<EventStore, 'readAll' | 'headPosition'>,
  options: SubscribeOptions,
  changed: (signal: AbortSignal) => Promise<void>,
): AsyncGenerator<RecordedEvent> {
  const { signal, streamPrefix } = options;
  let after = options.after === 'end' ? ((await store.headPosition()) ?? 'start') : options.after;
  while (!signal.aborted) {
    const page = await store.readAll({ after, maxCount: PAGE, streamPrefix });
    for (const event of page) {
      if (signal.aborted) return;
      yield event;
      after = event.position;
    }
    if (page.length < PAGE) await changed(signal);
  }
}

const TURN = Symbol('next turn');
const nextTurn = () => new Promise<typeof TURN>((resolve) => setImmediate(() => resolve(TURN)));

/**
 * Groups a subscription into batches of at most `max`: each batch holds the next event and
 * whatever else is ready by the next event-loop turn, so a projector commits a catch-up in a few
 * transactions and a lone live event at once.
 */
export async function* batched<T>(source: AsyncIterable<T>, max: number): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  const pull = () => {
    const next = iterator.next();
    next.catch(() => undefined); // observed below, or abandoned when the consumer stops
    return next;
  };
  try {
    let next = pull();
    for (;;) {
      const first = await next;
      if (first.done) return;
      const batch = [first.value];
      next = pull();
      while (batch.length < max) {
        // A failure is thrown by `await next` above, once what was already received has been yielded.
        const ready = await Promise.race([next, nextTurn()]).catch((): typeof TURN => TURN);
        if (ready === TURN || ready.done) break;
        batch.push(ready.value);
        next = pull();
      }
      yield batch;
    }
  } finally {
    iterator.return?.().catch(() => undefined);
  }
}
