import { backoffDelay, sleep } from './backoff';

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, half fixed and half jitter', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 40].map((n) => backoffDelay(n, options, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 40].map((n) => backoffDelay(n, options, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('defaults to 100 ms doubling up to 5 s', () => {
    expect([1, 10].map((n) => backoffDelay(n, {}, () => 1))).toEqual([100, 5000]);
  });
});

describe('sleep', () => {
  it('ends at once when the signal aborts', async () => {
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    controller.abort();
    await expect(slept).resolves.toBeUndefined();
    await expect(sleep(60_000, controller.signal)).resolves.toBeUndefined();
  });
});
