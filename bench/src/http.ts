import { Agent, request } from 'node:http';

const agent = new Agent({ keepAlive: true, maxSockets: 128 });

export interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/** One HTTP call to 127.0.0.1 on a keep-alive connection, bounded in time. */
export function call(
  port: number, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, timeoutMs = 30_000,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} took over ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export async function callJson<T>(port: number, method: string, path: string, body?: unknown, timeoutMs?: number): Promise<{ status: number; json: T }> {
  const reply = await call(port, method, path, body === undefined ? undefined : JSON.stringify(body), body === undefined && method !== 'POST' ? {} : { 'content-type': 'application/json' }, timeoutMs);
  const text = reply.body.toString('utf8');
  return { status: reply.status, json: (text ? JSON.parse(text) : undefined) as T };
}

/** Runs the tasks with at most `concurrency` in flight. */
export async function inParallel(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

export const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
