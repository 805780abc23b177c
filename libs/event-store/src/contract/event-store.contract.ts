import { randomUUID } from 'node:crypto';
import { ConcurrencyError, DuplicateEventIdError, StalePositionError } from '../errors';
import { EventData, EventStore, RecordedEvent } from '../event-store.port';
import { comparePositions, formatPosition, position } from '../position';

export interface ContractSubject {
  store: EventStore;
  dispose(): Promise<void>;
}

/**
 * The one suite every adapter passes, with exact expected values. `open` must give a store whose
 * log holds nothing under the streams this suite uses (a unique prefix per run is enough).
 */
export function eventStoreContract(adapter: string, open: () => Promise<ContractSubject>): void {
  describe(`event-store contract: ${adapter}`, () => {
    let subject: ContractSubject;
    let store: EventStore;
    let prefix: string;
    const s = (name: string) => `${prefix}${name}`;

    beforeEach(async () => {
      subject = await open();
      store = subject.store;
      prefix = `store-c${randomUUID().slice(0, 8)}-`;
    });
    afterEach(async () => subject.dispose());

    describe('expected revision', () => {
      it('no_stream creates a stream whose first event has revision 0', async () => {
        const result = await store.append(s('a'), events(2), 'no_stream');
        expect(result.revision).toBe(1);
        expect(await store.streamRevision(s('a'))).toBe(1);
        expect((await store.readStream(s('a'))).map((e) => e.revision)).toEqual([0, 1]);
      });

      it('no_stream on an existing stream is a ConcurrencyError naming the actual revision', async () => {
        await store.append(s('a'), events(1), 'no_stream');
        await expect(store.append(s('a'), events(1), 'no_stream')).rejects.toMatchObject({
          constructor: ConcurrencyError, expected: 'no_stream', actual: 0,
        });
      });

      it('stream_exists on a missing stream is a ConcurrencyError', async () => {
        await expect(store.append(s('a'), events(1), 'stream_exists')).rejects.toMatchObject({
          constructor: ConcurrencyError, actual: 'no_stream',
        });
        await store.append(s('a'), events(1), 'any');
        expect((await store.append(s('a'), events(1), 'stream_exists')).revision).toBe(1);
      });

      it('an exact revision must equal the revision of the last event', async () => {
        await store.append(s('a'), events(3), 'no_stream');
        await expect(store.append(s('a'), events(1), 1)).rejects.toMatchObject({ expected: 1, actual: 2 });
        await expect(store.append(s('b'), events(1), 0)).rejects.toMatchObject({ actual: 'no_stream' });
        expect((await store.append(s('a'), events(2), 2)).revision).toBe(4);
      });

      it('any appends whatever the stream holds', async () => {
        expect((await store.append(s('a'), events(1), 'any')).revision).toBe(0);
        expect((await store.append(s('a'), events(1), 'any')).revision).toBe(1);
      });

      it('a refused append writes nothing', async () => {
        await store.append(s('a'), events(1), 'no_stream');
        await expect(store.append(s('a'), events(3), 7)).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await store.readStream(s('a'))).toHaveLength(1);
      });
    });

    describe('reading', () => {
      it('reads a stream from a revision, in order, with data and metadata intact', async () => {
        const written = events(4);
        await store.append(s('a'), written, 'no_stream');
        const read = await store.readStream(s('a'), 2);
        expect(read.map((e) => [e.id, e.revision, e.type, e.stream])).toEqual([
          [written[2].id, 2, 'Happened', s('a')],
          [written[3].id, 3, 'Happened', s('a')],
        ]);
        expect(read[0].data).toEqual({ n: 2, text: 'zwölf ✓' });
        expect(read[0].metadata).toEqual({ actor: 'tester', correlationId: 'c-2' });
        expect(Number.isNaN(Date.parse(read[0].recordedAt))).toBe(false);
        expect(await store.readStream(s('a'), 1, 2)).toHaveLength(2);
      });

      it('a missing stream reads as empty', async () => {
        expect(await store.readStream(s('nothing'))).toEqual([]);
        expect(await store.streamRevision(s('nothing'))).toBeUndefined();
      });

      it('read-all resumes after a position with no gap and no repeat', async () => {
        const written: string[] = [];
        for (let i = 0; i < 7; i++) {
          const batch = events(1 + (i % 3));
          written.push(...batch.map((e) => e.id));
          await store.append(s(`r${i % 2}`), batch, 'any');
        }
        const seen: RecordedEvent[] = [];
        let after: RecordedEvent['position'] | 'start' = 'start';
        for (;;) {
          const page = await store.readAll({ after, maxCount: 3, streamPrefix: prefix });
          if (page.length === 0) break;
          seen.push(...page);
          after = page[page.length - 1].position;
        }
        expect(seen.map((e) => e.id)).toEqual(written);
        for (let i = 1; i < seen.length; i++) {
          expect(comparePositions(seen[i - 1].position, seen[i].position)).toBe(-1);
        }
        expect(seen.every((e) => e.position.incarnation === store.incarnation)).toBe(true);
      });

      it('read-all filters by stream prefix', async () => {
        await store.append(s('x-1'), events(1), 'any');
        await store.append(s('y-1'), events(2), 'any');
        const page = await store.readAll({ after: 'start', maxCount: 100, streamPrefix: s('y-') });
        expect(page.map((e) => e.stream)).toEqual([s('y-1'), s('y-1')]);
      });

      it('the head is the position of the last event appended', async () => {
        const result = await store.append(s('a'), events(2), 'any');
        const head = await store.headPosition();
        expect(head && formatPosition(head)).toBe(formatPosition(result.position));
        const last = (await store.readStream(s('a'))).pop()!;
        expect(formatPosition(last.position)).toBe(formatPosition(result.position));
      });

      it('a position of another incarnation is refused as stale', async () => {
        const foreign = position(`${store.incarnation}x`.slice(-16).replace(/^./, 'z'), 1);
        await expect(store.readAll({ after: foreign, maxCount: 1 })).rejects.toBeInstanceOf(StalePositionError);
      });
    });

    describe('concurrency', () => {
      it('of concurrent appends at one expected revision exactly one wins', async () => {
        await store.append(s('a'), events(1), 'no_stream');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 8 }, () => store.append(s('a'), events(1), 0)),
        );
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        const losers = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(losers.every((o) => o.reason instanceof ConcurrencyError)).toBe(true);
        expect(await store.streamRevision(s('a'))).toBe(1);
      });
    });

    describe('appendDecided', () => {
      it('appends what was decided at exactly the revision the decision saw', async () => {
        await store.append(s('d'), events(2), 'no_stream');
        const result = await store.appendDecided(s('d'), (revision) => [
          { id: randomUUID(), type: 'Decided', data: { saw: revision }, metadata: {} },
        ]);
        expect(result?.revision).toBe(2);
        expect((await store.readStream(s('d'), 2)).map((e) => e.data)).toEqual([{ saw: 1 }]);
        const created = await store.appendDecided(s('new'), (revision) => [{ id: randomUUID(), type: 'Decided', data: { saw: revision ?? null }, metadata: {} }]);
        expect(created?.revision).toBe(0);
        expect((await store.readStream(s('new')))[0].data).toEqual({ saw: null });
      });

      it('an empty decision writes nothing; a refusal writes nothing and is thrown', async () => {
        expect(await store.appendDecided(s('e'), () => [])).toBeUndefined();
        await expect(store.appendDecided(s('e'), () => {
          throw new Error('refused');
        })).rejects.toThrow('refused');
        expect(await store.streamRevision(s('e'))).toBeUndefined();
      });

      it('concurrent decisions on one stream: each that lands saw the revision it landed after, the rest are ConcurrencyErrors', async () => {
        const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => store.appendDecided(s('race'), (revision) => [
          { id: randomUUID(), type: 'Decided', data: { saw: revision ?? -1 }, metadata: {} },
        ])));
        const landed = outcomes.filter((o) => o.status === 'fulfilled').length;
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ConcurrencyError);
        const recorded = await store.readStream(s('race'));
        expect(recorded).toHaveLength(landed);
        expect(recorded.map((e) => (e.data as { saw: number }).saw)).toEqual(recorded.map((e) => e.revision - 1));
      });
    });

    describe('idempotency by event id', () => {
      it('re-appending the same events answers the first result and writes nothing', async () => {
        const batch = events(3);
        const first = await store.append(s('a'), batch, 'no_stream');
        const again = await store.append(s('a'), batch, 'no_stream');
        expect(again.revision).toBe(first.revision);
        expect(formatPosition(again.position)).toBe(formatPosition(first.position));
        expect(await store.readStream(s('a'))).toHaveLength(3);
      });

      it('an id already used by another append is refused', async () => {
        const batch = events(2);
        await store.append(s('a'), batch, 'any');
        await expect(store.append(s('a'), [batch[1], ...events(1)], 'any')).rejects.toBeInstanceOf(DuplicateEventIdError);
        await expect(store.append(s('b'), batch, 'any')).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readStream(s('b'))).toEqual([]);
      });
    });

    describe('subscription', () => {
      it('catches up from the start, then delivers new events live, in order', async () => {
        const before = events(3);
        await store.append(s('a'), before, 'any');
        const controller = new AbortController();
        const received: string[] = [];
        const after = events(2);
        const done = (async () => {
          for await (const event of store.subscribe({ after: 'start', streamPrefix: prefix, signal: controller.signal })) {
            received.push(event.id);
            if (received.length === 3) await store.append(s('b'), after, 'any');
            if (received.length === 5) controller.abort();
          }
        })();
        await withTimeout(done, 5000);
        expect(received).toEqual([...before, ...after].map((e) => e.id));
      });

      it('from the end delivers only what is appended after subscribing', async () => {
        await store.append(s('a'), events(2), 'any');
        const controller = new AbortController();
        const iterator = store.subscribe({ after: 'end', streamPrefix: prefix, signal: controller.signal })[Symbol.asyncIterator]();
        const next = iterator.next();
        await new Promise((r) => setTimeout(r, 50));
        const fresh = events(1);
        await store.append(s('a'), fresh, 'any');
        const { value } = await withTimeout(next, 5000);
        expect(value.id).toBe(fresh[0].id);
        expect(value.revision).toBe(2);
        controller.abort();
        await iterator.return?.(undefined);
      });

      it('resumes after a delivered position with no gap and no repeat', async () => {
        const batch = events(4);
        await store.append(s('a'), batch, 'any');
        const all = await store.readStream(s('a'));
        const controller = new AbortController();
        const received: string[] = [];
        for await (const e of store.subscribe({ after: all[1].position, streamPrefix: prefix, signal: controller.signal })) {
          received.push(e.id);
          if (received.length === 2) controller.abort();
        }
        expect(received).toEqual([batch[2].id, batch[3].id]);
      });
    });
  });
}

function events(n: number): EventData[] {
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    type: 'Happened',
    data: { n: i, text: 'zwölf ✓' },
    metadata: { actor: 'tester', correlationId: `c-${i}` },
  }));
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref()),
  ]);
}
