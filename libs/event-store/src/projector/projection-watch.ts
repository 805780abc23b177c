import { RecordedEvent } from '../event-store.port';

interface Expectation {
  readonly ids: readonly string[];
  readonly seen: RecordedEvent[];
  run(events: RecordedEvent[]): void;
}

/**
 * Waiting on a projector. `until` resolves once a condition on the read models holds: checked after
 * every batch the projector reports (`notify`) and, for read models another process projects, every
 * `pollMs`. `expect` runs a function right after given events are applied, inside the projector's
 * transaction, so it reads the read models exactly as of those events, before anything later.
 */
export class ProjectionWatch {
  private readonly waiting = new Set<() => void>();
  private readonly expected = new Map<string, Expectation>();

  constructor(private readonly pollMs?: number) {}

  /** Call after every committed batch. */
  notify(): void {
    for (const check of [...this.waiting]) check();
  }

  /** The projector's per-event hook (an AppliedListener). */
  readonly applied = (event: RecordedEvent): void => {
    const expectation = this.expected.get(event.id);
    if (!expectation) return;
    this.expected.delete(event.id);
    expectation.seen.push(event);
    if (expectation.seen.length === expectation.ids.length) expectation.run(expectation.seen);
  };

  /** True once `test()` holds, false when `timeoutMs` passes first; rejects with what `test` throws. */
  until(test: () => boolean, timeoutMs: number): Promise<boolean> {
    if (test()) return Promise.resolve(true);
    return new Promise((resolve, reject) => {
      const finish = (outcome: () => boolean) => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiting.delete(check);
        try {
          resolve(outcome());
        } catch (error) {
          reject(error);
        }
      };
      const check = () => {
        try {
          if (test()) finish(() => true);
        } catch (error) {
          finish(() => {
            throw error;
          });
        }
      };
      const timer = setTimeout(() => finish(test), Math.max(0, timeoutMs));
      const poll = this.pollMs === undefined ? undefined : setInterval(check, this.pollMs);
      this.waiting.add(check);
    });
  }

  /**
   * Runs `run` with the recorded events once every event of `ids` is applied. Register before the
   * append: the projector may apply the events before the append call returns. Rejects with
   * `onTimeout()` when `timeoutMs` passes first, or with what `run` throws.
   */
  expect<R>(
    ids: readonly string[], run: (events: RecordedEvent[]) => R, timeoutMs: number, onTimeout: () => Error,
  ): { readonly result: Promise<R>; cancel(): void } {
    let settle!: { resolve(value: R): void; reject(error: unknown): void };
    const result = new Promise<R>((resolve, reject) => (settle = { resolve, reject }));
    result.catch(() => undefined); // a caller that cancels never awaits it
    const forget = () => {
      clearTimeout(timer);
      for (const id of ids) if (this.expected.get(id) === expectation) this.expected.delete(id);
    };
    const expectation: Expectation = {
      ids,
      seen: [],
      run: (events) => {
        forget();
        try {
          settle.resolve(run(events));
        } catch (error) {
          settle.reject(error);
        }
      },
    };
    // An infinite wait needs no timer (the caller cancels it if the events are never written).
    const timer = Number.isFinite(timeoutMs) ? setTimeout(() => {
      forget();
      settle.reject(onTimeout());
    }, Math.max(0, timeoutMs)) : undefined;
    for (const id of ids) this.expected.set(id, expectation);
    return { result, cancel: forget };
  }
}
