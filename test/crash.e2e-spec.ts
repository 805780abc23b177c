import { ChildProcess } from 'node:child_process';
import { http, removeDir, startChild, tempDir } from './support/service';

const WRITERS = 16;
const LOAD_MS = 1500;

/** Puts sequential keys until stopped; records only what the service acknowledged. */
async function writer(url: string, id: number, acked: Map<string, string>, stop: { now: boolean }): Promise<void> {
  for (let i = 0; !stop.now; i++) {
    const key = `w${id}/k${i}`;
    const value = `value-${id}-${i}`;
    try {
      const response = await http('PUT', `${url}/v1/namespaces/crash/entries/${key}`, { value });
      if (response.status === 201) acked.set(key, value);
    } catch {
      return; // the service is gone
    }
  }
}

async function countEntries(url: string): Promise<number> {
  let count = 0;
  let cursor = '';
  for (;;) {
    const page = await http('GET', `${url}/v1/namespaces/crash/entries?limit=1000${cursor && `&cursor=${cursor}`}`);
    count += page.body.items.length;
    if (!page.body.nextCursor) return count;
    cursor = page.body.nextCursor;
  }
}

describe('crash safety', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;
  beforeAll(() => (dataDir = tempDir('hexastore-crash-')));
  afterAll(() => {
    child?.kill('SIGKILL');
    removeDir(dataDir);
  });

  it('keeps every acknowledged write after SIGKILL under concurrent load', async () => {
    const first = await startChild(dataDir);
    child = first.child;
    const acked = new Map<string, string>();
    const stop = { now: false };
    const writers = Array.from({ length: WRITERS }, (_, id) => writer(first.url, id, acked, stop));
    await new Promise((r) => setTimeout(r, LOAD_MS));
    child.kill('SIGKILL');
    stop.now = true;
    await Promise.all(writers);
    expect(acked.size).toBeGreaterThan(100);

    const second = await startChild(dataDir);
    child = second.child;
    const ready = await http('GET', `${second.url}/health/ready`);
    expect(ready.body.details.store).toMatchObject({ synchronous: 2, journalMode: 'wal' });
    const missing: string[] = [];
    for (const [key, value] of acked) {
      const got = await http('GET', `${second.url}/v1/namespaces/crash/entries/${key}`);
      if (got.status !== 200 || got.body.value !== value) missing.push(key);
    }
    expect(missing).toEqual([]);
    const ns = await http('GET', `${second.url}/v1/namespaces/crash`);
    expect(ns.body.entryCount).toBeGreaterThanOrEqual(acked.size);
    // An unacknowledged write may have landed too; whatever landed is whole: the counters match the rows.
    expect(await countEntries(second.url)).toBe(ns.body.entryCount);
    child.kill('SIGKILL');
  }, 60_000);
});
