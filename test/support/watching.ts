import { FeedEvent, FeedWatch } from '@app/client';
import { SseConnection } from './sse';

/** Waits until `done` holds, polling every 10 ms; fails after `ms` (a bound, not a speed check). */
export async function until(done: () => boolean, ms = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Consumes a watch in the background, keeping every event and how the iteration ended. */
export class Collector {
  readonly events: FeedEvent[] = [];
  error: unknown;
  ended = false;
  readonly done: Promise<void>;

  constructor(readonly watch: FeedWatch) {
    this.done = (async () => {
      try {
        for await (const event of watch) this.events.push(event);
      } catch (error) {
        this.error = error;
      } finally {
        this.ended = true;
      }
    })();
  }

  get positions(): string[] {
    return this.events.map((e) => e.position);
  }

  /** Waits until at least `count` events have come (or the iteration ended). */
  async count(count: number, ms?: number): Promise<FeedEvent[]> {
    await until(() => this.events.length >= count || this.ended, ms, `${count} events (have ${this.events.length})`);
    if (this.error) throw this.error;
    return this.events;
  }

  async stop(): Promise<void> {
    await this.watch.close();
    await this.done;
  }
}

/** Every position of a namespace's feed from its start, read over a plain SSE connection (not the client). */
export async function logOf(url: string, namespace: string, expected: number): Promise<string[]> {
  const feed = await SseConnection.open(`${url}/v1/namespaces/${namespace}/feed?from=start`);
  try {
    await feed.until((c) => c.events.length >= expected);
    return feed.events.map((e) => e.id!);
  } finally {
    feed.close();
  }
}
