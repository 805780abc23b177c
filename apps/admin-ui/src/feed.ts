import { ApiError, call } from './api.js';
import { h, show, time } from './dom.js';
import { problemView } from './problems.js';
import { SseParser } from './sse.js';
import { FeedEvent } from './types.js';

const MAX_SHOWN = 100;
const SSE = 'text/event-stream, application/problem+json';

/**
 * The live change feed (GET /v1/feed, Server-Sent Events) read with fetch, which can send the
 * bearer token where EventSource cannot; a dropped stream resumes after the last id with Last-Event-ID.
 */
export class FeedPanel {
  private controller: AbortController | undefined;
  private lastId: string | undefined;
  private retryMs = 1000;
  private readonly state = h('p', { id: 'feed-state', role: 'status' }, 'Feed: stopped');
  private readonly toggle = h('button', { type: 'button', id: 'feed-toggle', onclick: () => (this.controller ? this.stop() : this.start()) }, 'Start feed');
  private readonly list = h('ol', { id: 'feed-events', class: 'feed', 'aria-label': 'Changes, newest first' });
  private readonly problem = h('div');

  constructor(root: HTMLElement, private readonly onEvent: (event: FeedEvent) => void) {
    show(root, h('div', { class: 'row' }, this.state, this.toggle), this.problem, this.list);
  }

  /** Starts from now (a restart after a token change, say, forgets the old position). */
  start(): void {
    this.stop();
    this.lastId = undefined;
    this.retryMs = 1000;
    const controller = new AbortController();
    this.controller = controller;
    this.toggle.textContent = 'Stop feed';
    void this.run(controller);
  }

  stop(): void {
    this.controller?.abort();
    this.controller = undefined;
    this.toggle.textContent = 'Start feed';
    this.setState('stopped');
  }

  private setState(text: string): void {
    this.state.textContent = `Feed: ${text}`;
    this.state.dataset.state = text.split(' ')[0];
  }

  private async run(controller: AbortController): Promise<void> {
    while (!controller.signal.aborted) {
      this.setState(this.lastId ? 'reconnecting' : 'connecting');
      try {
        await this.read(controller);
        // The service ended the stream (it is shutting down, say): resume after a pause.
      } catch (error) {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && (error.denied || error.status === 400)) {
          show(this.problem, problemView(error, 'the change feed'));
          this.controller = undefined;
          this.toggle.textContent = 'Start feed';
          return this.setState(error.denied ? 'not permitted' : 'stopped');
        }
        // A position this store can no longer serve: start again from now rather than skip silently.
        if (error instanceof ApiError && error.status === 410) this.lastId = undefined;
      }
      if (controller.signal.aborted) return;
      this.setState(`disconnected, retrying in ${Math.round(this.retryMs / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
      this.retryMs = Math.min(this.retryMs * 2, 15_000);
    }
  }

  private async read(controller: AbortController): Promise<void> {
    const url = this.lastId ? '/v1/feed' : '/v1/feed?from=now';
    const response = await callFeed(url, this.lastId, controller.signal);
    this.problem.replaceChildren();
    this.setState('live');
    this.retryMs = 1000;
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const message of parser.push(value)) {
        if (message.id) this.lastId = message.id;
        let event: FeedEvent;
        try {
          event = JSON.parse(message.data) as FeedEvent;
        } catch {
          continue;
        }
        this.add(event);
        this.onEvent(event);
      }
    }
  }

  private add(event: FeedEvent): void {
    this.list.prepend(h('li', { 'data-type': event.type },
      h('span', { class: 'event-type' }, event.type.replace(/^Store/, '')), ' ',
      h('span', { class: 'event-where' }, event.namespace, event.key !== undefined ? ` / ${event.key}` : ''), ' ',
      h('span', { class: 'event-meta' }, `${time(event.timestamp).slice(11)} by ${event.actor ?? '—'}`, h('span', { class: 'position' }, ` at ${event.position}`))));
    while (this.list.children.length > MAX_SHOWN) this.list.lastElementChild?.remove();
  }
}

/** Last-Event-ID goes in a header, like EventSource's own reconnect. */
const callFeed = (url: string, lastId: string | undefined, signal: AbortSignal) =>
  call('GET', url, undefined, { signal, headers: lastId === undefined ? { accept: SSE } : { accept: SSE, 'last-event-id': lastId } });
