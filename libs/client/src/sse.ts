/** One Server-Sent Events message: an event (with data) or a block of comments only. */
export interface SseMessage {
  readonly id?: string;
  readonly event?: string;
  /** The data lines joined by "\n"; undefined for a comment-only block. */
  readonly data?: string;
  readonly comments: readonly string[];
}

const LINE_END = /\r\n|\r|\n/g;

/**
 * An incremental parser of the text/event-stream format (WHATWG HTML §9.2): feed it text as it
 * arrives, take the messages it completes. Lines may end in CRLF, LF or CR, also across chunks.
 */
export class SseParser {
  private buffer = '';
  private id: string | undefined;
  private event: string | undefined;
  private data: string[] = [];
  private comments: string[] = [];

  push(text: string): SseMessage[] {
    this.buffer += text;
    const messages: SseMessage[] = [];
    let start = 0;
    LINE_END.lastIndex = 0;
    for (let match = LINE_END.exec(this.buffer); match; match = LINE_END.exec(this.buffer)) {
      // A CR at the very end may be the first half of a CRLF: wait for the next chunk.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break;
      this.line(this.buffer.slice(start, match.index), messages);
      start = match.index + match[0].length;
    }
    this.buffer = this.buffer.slice(start);
    return messages;
  }

  private line(line: string, messages: SseMessage[]): void {
    if (line === '') {
      this.dispatch(messages);
      return;
    }
    if (line.startsWith(':')) {
      this.comments.push(line.slice(1).trimStart());
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }

  private dispatch(messages: SseMessage[]): void {
    if (this.data.length > 0) {
      messages.push({ id: this.id, event: this.event, data: this.data.join('\n'), comments: this.comments });
    } else if (this.comments.length > 0) {
      messages.push({ comments: this.comments });
    }
    this.id = undefined;
    this.event = undefined;
    this.data = [];
    this.comments = [];
  }
}
