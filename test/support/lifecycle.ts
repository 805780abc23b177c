import { http } from './service';

/** Calls on one namespace of a running service, for the lifecycle suites. */
export function namespaceClient(url: string, ns: string) {
  const base = `${url}/v1/namespaces/${ns}`;
  const entry = (key: string) => `${base}/entries/${key}`;
  return {
    base,
    entry,
    put: (key: string, body: object) => http('PUT', entry(key), body),
    get: (key: string, query = '') => http('GET', `${entry(key)}${query}`),
    del: (key: string, query = '') => http('DELETE', `${entry(key)}${query}`),
    setTtl: (key: string, body: unknown) => http('PUT', `${entry(key)}/ttl`, body),
    history: async (key: string) => {
      const items: any[] = [];
      for (let cursor = ''; ; ) {
        const page = await http('GET', `${entry(key)}/history?limit=3${cursor && `&cursor=${cursor}`}`);
        if (page.status !== 200) throw new Error(`history answered ${page.status}: ${JSON.stringify(page.body)}`);
        items.push(...page.body.items);
        if (!page.body.nextCursor) return items;
        cursor = page.body.nextCursor;
      }
    },
    list: async (query = '') => (await http('GET', `${base}/entries${query}`)).body,
    /** The namespace's revision, or undefined while it does not exist. */
    revision: async (): Promise<number | undefined> => {
      const view = await http('GET', base);
      return view.status === 200 ? view.body.revision : undefined;
    },
  };
}

export function expectProblem(response: { status: number; headers: Headers; body: any }, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
  expect(response.headers.get('content-type')).toContain('application/problem+json');
}

/** Polls until `done` answers true, at most `tries` times `everyMs`; answers whether it did. */
export async function eventually(done: () => Promise<boolean>, tries = 100, everyMs = 100): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await done()) return true;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return false;
}
