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
