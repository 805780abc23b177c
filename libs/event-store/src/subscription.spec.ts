import { batched } from './subscription';

async function collect<T>(source: AsyncIterable<T[]>): Promise<T[][]> {
  const batches: T[][] = [];
  for await (const batch of source) batches.push(batch);
  return batches;
}

/** Two event-loop turns: a group arrives only after the turn the batcher waits for has passed, however loaded the machine. */
const twoTurnsLater = () => new Promise((r) => setImmediate(() => setImmediate(r)));

async function* source(...groups: number[][]): AsyncGenerator<number> {
  for (const [i, group] of groups.entries()) {
    if (i > 0) await twoTurnsLater();
    yield* group;
  }
}

describe('batched', () => {
  it('puts what is ready by the next turn into one batch, and a later event into the next', async () => {
    expect(await collect(batched(source([1, 2, 3], [4]), 100))).toEqual([[1, 2, 3], [4]]);
  });

  it('never exceeds the batch size', async () => {
    expect(await collect(batched(source([1, 2, 3, 4, 5]), 2))).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('ends with the source, and passes its failure on after what it received', async () => {
    expect(await collect(batched(source(), 10))).toEqual([]);
    async function* failing() {
      yield 1;
      throw new Error('dropped');
    }
    const seen: number[][] = [];
    await expect((async () => {
      for await (const batch of batched(failing(), 10)) seen.push(batch);
    })()).rejects.toThrow('dropped');
    expect(seen).toEqual([[1]]);
  });

  it('closes the source when the consumer stops', async () => {
    let closed = false;
    async function* endless() {
      try {
        for (let i = 0; ; i++) yield i;
      } finally {
        closed = true;
      }
    }
    for await (const batch of batched(endless(), 3)) {
      expect(batch).toEqual([0, 1, 2]);
      break;
    }
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(true);
  });
});
