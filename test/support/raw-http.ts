import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  /** Header names in lower case; a repeated header's values joined with ", ". */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/**
 * One HTTP/1.1 request written byte for byte on its own connection (Connection: close), so that a
 * test can send what no HTTP client would: NUL and invalid UTF-8 in the path, repeated or huge
 * headers, bodies that are not what their content type says. Only to 127.0.0.1.
 */
export function rawRequest(
  port: number,
  method: string,
  path: Buffer | string,
  headers: readonly (readonly [string, string])[],
  body?: Buffer,
  timeoutMs = 30_000,
): Promise<RawResponse> {
  const head = Buffer.concat([
    Buffer.from(`${method} `, 'latin1'),
    typeof path === 'string' ? Buffer.from(path, 'latin1') : path,
    Buffer.from(` HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\n`, 'latin1'),
    ...headers.map(([name, value]) => Buffer.from(`${name}: ${value}\r\n`, 'latin1')),
    Buffer.from(body ? `content-length: ${body.length}\r\n\r\n` : '\r\n', 'latin1'),
  ]);
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no complete answer in ${timeoutMs} ms`)));
    socket.on('connect', () => {
      socket.write(head);
      if (body) socket.write(body);
    });
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => {
      // A server may answer and close before reading the whole body (a refusal from the headers).
      // The answer, if any came, is read on close.
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ECONNRESET' || code === 'EPIPE') return;
      reject(error);
    });
    socket.on('close', () => {
      try {
        resolve(parseResponse(Buffer.concat(chunks), method === 'HEAD'));
      } catch (error) {
        reject(error);
      }
    });
  });
}

function parseResponse(data: Buffer, head: boolean): RawResponse {
  const cut = data.indexOf('\r\n\r\n');
  if (cut < 0) throw new Error(`no HTTP response (${data.length} bytes)`);
  const [statusLine, ...lines] = data.subarray(0, cut).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  // An interim answer (100 Continue) comes before the real one.
  if (status >= 100 && status < 200) return parseResponse(data.subarray(cut + 4), head);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  let body = head ? Buffer.alloc(0) : data.subarray(cut + 4);
  if (!head && /chunked/i.test(headers['transfer-encoding'] ?? '')) body = dechunk(body);
  // The first answer only: a connection may carry another one (to a malformed request that followed).
  else if (!head && headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']));
  return { status, headers, body };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!size) break;
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
