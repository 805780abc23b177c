// Crash points (HEXASTORE_FAILPOINT, see libs/store/src/shared/failpoints.ts) × restart, against
// the built service: the process kills itself with SIGKILL at the point, is started again without
// it, and then every acknowledged write is there, every unacknowledged one is all or nothing, the
// read models equal a rebuild from the log, and a retry with the same Idempotency-Key applies once.
import { ChildProcess } from 'node:child_process';
import { exitOf, killChild } from './support/reliability';
import { removeDir, startChild, tempDir } from './support/service';

interface Answer {
  status: number;
  body: any;
}

async function send(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer | undefined> {
  try {
    const response = await fetch(url, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  } catch {
    return undefined; // no answer: the service died under the request
  }
}

async function must(method: string, url: string, body?: unknown, headers?: Record<string, string>): Promise<Answer> {
  const answer = await send(method, url, body, headers);
  if (!answer) throw new Error(`${method} ${url}: no answer`);
  return answer;
}

/** Everything a client can read: the namespaces and each one's full listing. */
async function readable(url: string): Promise<unknown> {
  const namespaces = (await must('GET', `${url}/v1/namespaces`)).body as { name: string }[];
  const entries: Record<string, unknown> = {};
  for (const { name } of namespaces) entries[name] = (await must('GET', `${url}/v1/namespaces/${name}/entries?limit=1000`)).body;
  return { namespaces, entries };
}

/** The read models equal what a rebuild from the log makes of it. */
async function expectReadModelsEqualRebuild(url: string): Promise<void> {
  const before = await readable(url);
  expect((await must('POST', `${url}/v1/admin/rebuild`, undefined, { 'content-type': 'application/json' })).status).toBeLessThan(300);
  expect(await readable(url)).toEqual(before);
}

const value = async (url: string, ns: string, key: string): Promise<string | undefined> => {
  const got = await must('GET', `${url}/v1/namespaces/${ns}/entries/${encodeURIComponent(key)}`);
  return got.status === 200 ? got.body.value : undefined;
};

describe.each([
  // [failpoint, whether the write that hit it is in the log after the restart]
  ['before-append', false],
  ['after-commit-before-answer', true],
  ['mid-projection', false],
] as const)('failpoint %s', (failpoint, committed) => {
  const dataDir = tempDir('hexastore-failpoint-');
  let child: ChildProcess | undefined;
  afterAll(async () => {
    await killChild(child);
    removeDir(dataDir);
  });

  it('after the crash and a restart: acked writes kept, the unacked all or nothing, read models = rebuild, retries applied once', async () => {
    const first = await startChild(dataDir);
    child = first.child;
    const { url, port } = first;
    const ns = `${url}/v1/namespaces/fp`;
    // Acknowledged writes, each with an Idempotency-Key, and their answers.
    const acked: { key: string; value: string; idem: string; answer: Answer }[] = [];
    for (let i = 0; i < 10; i++) {
      const idem = `acked-${i}`;
      const answer = await must('PUT', `${ns}/entries/a${i % 4}`, { value: `acked-${i}` }, { 'idempotency-key': idem });
      expect(answer.status).toBeLessThan(300);
      acked.push({ key: `a${i % 4}`, value: `acked-${i}`, idem, answer });
    }
    const revisionBefore = (await must('GET', ns)).body.revision;
    await killChild(child);

    ({ child } = await startChild(dataDir, { HEXASTORE_FAILPOINT: failpoint }, { port }));
    const crashed = child;
    // The write that meets the failpoint: a transaction of three puts, with an Idempotency-Key.
    const ops = ['t0', 't1', 't2'].map((key) => ({ op: 'put', key, value: `tx-${key}` }));
    const tx = { ops };
    const answer = await send('POST', `${ns}/transactions`, tx, { 'idempotency-key': 'the-tx' });
    expect(answer).toBeUndefined();
    expect(await exitOf(crashed)).toBe('SIGKILL');

    ({ child } = await startChild(dataDir, {}, { port }));
    // Acknowledged writes are there (the last value of each key).
    const last = new Map(acked.map((a) => [a.key, a.value]));
    for (const [key, v] of last) expect(await value(url, 'fp', key)).toBe(v);
    // The unacknowledged transaction: all or nothing, and which one this failpoint means.
    const landed = await Promise.all(ops.map((o) => value(url, 'fp', o.key)));
    expect(landed).toEqual(ops.map((o) => (committed ? o.value : undefined)));
    expect((await must('GET', ns)).body.revision).toBe(revisionBefore + (committed ? 3 : 0));
    await expectReadModelsEqualRebuild(url);

    // A retry with the same key applies once and is answered the same every time.
    const retry = await must('POST', `${ns}/transactions`, tx, { 'idempotency-key': 'the-tx' });
    expect(retry.status).toBe(200);
    expect(retry.body.results.map((r: { version: number }) => r.version)).toEqual([1, 1, 1]);
    expect(await must('POST', `${ns}/transactions`, tx, { 'idempotency-key': 'the-tx' })).toEqual(retry);
    expect((await must('GET', ns)).body.revision).toBe(revisionBefore + 3);
    // Retries of the acknowledged writes answer what they answered before the crash, writing nothing.
    for (const a of acked.slice(-3)) {
      expect(await must('PUT', `${ns}/entries/${a.key}`, { value: a.value }, { 'idempotency-key': a.idem })).toEqual(a.answer);
    }
    expect((await must('GET', ns)).body.revision).toBe(revisionBefore + 3);
    await expectReadModelsEqualRebuild(url);
    await killChild(child);
  }, 60_000);
});

describe('failpoint mid-restore', () => {
  const sourceDir = tempDir('hexastore-failpoint-');
  const dataDir = tempDir('hexastore-failpoint-');
  let child: ChildProcess | undefined;
  afterAll(async () => {
    await killChild(child);
    removeDir(sourceDir);
    removeDir(dataDir);
  });

  it('a restore killed half-way leaves none of the archive, the store as it was; the retried restore brings all of it', async () => {
    // The archive: two namespaces from another store.
    let { url, child: source } = await startChild(sourceDir);
    child = source;
    for (let i = 0; i < 40; i++) expect((await must('PUT', `${url}/v1/namespaces/${i % 2 ? 'ra' : 'rb'}/entries/k${i}`, { value: `v${i}` })).status).toBe(201);
    const archived = await readable(url);
    const archive = Buffer.from(await (await fetch(`${url}/v1/admin/backup`, { method: 'POST', headers: { 'content-type': 'application/json' } })).arrayBuffer());
    await killChild(child);

    const first = await startChild(dataDir);
    child = first.child;
    for (let i = 0; i < 5; i++) expect((await must('PUT', `${first.url}/v1/namespaces/own/entries/k${i}`, { value: `own-${i}` })).status).toBe(201);
    const before = await readable(first.url);
    await killChild(child);

    ({ child } = await startChild(dataDir, { HEXASTORE_FAILPOINT: 'mid-restore' }, { port: first.port }));
    const crashed = child;
    const upload = await send('POST', `${first.url}/v1/admin/restore`, archive, { 'content-type': 'application/gzip' });
    expect(upload).toBeUndefined();
    expect(await exitOf(crashed)).toBe('SIGKILL');

    ({ child, url } = await startChild(dataDir, {}, { port: first.port }));
    expect(await readable(url)).toEqual(before);
    await expectReadModelsEqualRebuild(url);
    const restored = await must('POST', `${url}/v1/admin/restore`, archive, { 'content-type': 'application/gzip' });
    expect(restored).toMatchObject({ status: 200, body: { restored: true, namespaces: ['ra', 'rb'] } });
    const after = (await readable(url)) as { entries: Record<string, unknown> };
    const source_ = archived as { entries: Record<string, unknown> };
    expect(after.entries).toEqual({ ...source_.entries, own: (before as typeof after).entries.own });
    await expectReadModelsEqualRebuild(url);
    await killChild(child);
  }, 60_000);
});
