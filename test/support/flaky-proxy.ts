import { createServer, IncomingHttpHeaders, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/**
 * What the proxy does to the next request: pass it on; pass it on and lose the answer (the write
 * happened, the client sees a dropped connection); pass it on and cut the answer after part of its
 * body (a connection lost mid-download); drop it unsent; or answer 503 itself.
 */
export type Fault = 'pass' | 'lose-answer' | 'cut-answer' | 'drop' | 'unavailable';

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

/** An HTTP proxy on 127.0.0.1 in front of one service, failing requests on demand; streams (SSE) pass through. */
export class FlakyProxy {
  readonly seen: SeenRequest[] = [];
  /** Faults for the next requests, in order; then every request passes (or gets `otherwise`). */
  readonly faults: Fault[] = [];
  otherwise: Fault = 'pass';
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  url = '';

  private constructor(private readonly target: URL) {}

  static async start(target: string): Promise<FlakyProxy> {
    const proxy = new FlakyProxy(new URL(target));
    proxy.server = createServer((req, res) => proxy.handle(req, res));
    proxy.server.on('connection', (socket) => {
      proxy.sockets.add(socket);
      socket.on('close', () => proxy.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.url = `http://127.0.0.1:${(proxy.server.address() as { port: number }).port}`;
    return proxy;
  }

  /** Drops every open connection (streams included), as a network failure would. */
  cutAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  close(): Promise<void> {
    this.cutAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    const fault = this.faults.shift() ?? this.otherwise;
    if (fault === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault === 'unavailable') {
      res.writeHead(503, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'urn:hexastore:problem:backend-unavailable', title: 'backend unavailable', status: 503, code: 'BACKEND_UNAVAILABLE', detail: 'injected' }));
      return;
    }
    const upstream = request({
      host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: req.headers,
    }, (answer) => {
      if (fault === 'lose-answer') {
        answer.resume();
        answer.on('end', () => req.socket.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (fault === 'cut-answer') {
        answer.once('data', (chunk: Buffer) => {
          answer.destroy();
          res.write(chunk.subarray(0, Math.ceil(chunk.length / 2)), () => req.socket.destroy());
        });
        return;
      }
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  }
}
