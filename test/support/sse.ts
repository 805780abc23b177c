import { request as httpRequest, IncomingMessage } from 'node:http';

export interface SseMessage {
  id?: string;
  event?: string;
  data?: string;
  comment?: string;
}

/** A raw SSE connection: messages as they arrive, comments included; the test reads at its own pace. */
export class SseConnection {
  readonly messages: SseMessage[] = [];
  status = 0;
  ended = false;
  private response?: IncomingMessage;
  private buffer = '';
  private waiters: (() => void)[] = [];

  static open(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
    const connection = new SseConnection();
    return new Promise((resolve, reject) => {
      const req = httpRequest(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        connection.response = res;
        connection.status = res.statusCode ?? 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => connection.feed(chunk));
        res.on('end', () => connection.finish());
        res.on('close', () => connection.finish());
        resolve(connection);
      });
      req.on('error', reject);
      req.end();
    });
  }

  get events(): SseMessage[] {
    return this.messages.filter((m) => m.id !== undefined);
  }

  pause(): void {
    this.response?.pause();
  }

  resume(): void {
    this.response?.resume();
  }

  close(): void {
    this.response?.destroy();
  }

  /** Waits until the predicate holds (or the stream ends), at most `ms`. */
  async until(predicate: (c: SseConnection) => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate(this)) {
      if (this.ended || Date.now() > deadline) throw new Error(`condition not met (ended=${this.ended}, messages=${this.messages.length})`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let cut: number;
    while ((cut = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, cut);
      this.buffer = this.buffer.slice(cut + 2);
      this.messages.push(parseBlock(block));
    }
    this.wake();
  }

  private finish(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    this.waiters.splice(0).forEach((w) => w());
  }
}

function parseBlock(block: string): SseMessage {
  const message: SseMessage = {};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) message.comment = (message.comment ? `${message.comment}\n` : '') + line.slice(1).trim();
    const [field, ...rest] = line.split(': ');
    const value = rest.join(': ');
    if (field === 'id') message.id = value;
    if (field === 'event') message.event = value;
    if (field === 'data') message.data = value;
  }
  return message;
}
