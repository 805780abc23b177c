import { json, ns, query } from './api.js';
import { h, preview, show, time } from './dom.js';
import { problemView } from './problems.js';
import { Entry, Page, valueText } from './types.js';

/** The entries of a namespace in key order: prefix search and paging by cursor. */
export class EntryBrowser {
  private namespace = '';
  /** The cursor of each page shown so far: [0] is the first page (no cursor). */
  private cursors: (string | undefined)[] = [undefined];
  private page = 0;
  private readonly prefix = h('input', { id: 'entry-prefix', type: 'search', name: 'prefix', autocomplete: 'off', placeholder: 'key prefix' });
  private readonly limit = h('input', { id: 'entry-limit', type: 'number', min: 1, max: 1000, value: 20, name: 'limit' });
  private readonly list = h('div', { id: 'entry-list' });
  private readonly previous = h('button', { type: 'button', onclick: () => this.go(this.page - 1) }, 'Previous page');
  private readonly next = h('button', { type: 'button', onclick: () => this.go(this.page + 1) }, 'Next page');
  private readonly pageLabel = h('span', { id: 'entry-page', 'aria-live': 'polite' });

  constructor(root: HTMLElement, private readonly onOpen: (key: string) => void) {
    show(root,
      h('form', { class: 'row', role: 'search', onsubmit: (event) => { event.preventDefault(); void this.search(); } },
        h('label', { for: 'entry-prefix' }, 'Prefix'), this.prefix,
        h('label', { for: 'entry-limit' }, 'Per page'), this.limit,
        h('button', { type: 'submit' }, 'Search'),
      ),
      this.list,
      h('div', { class: 'row pager' }, this.previous, this.pageLabel, this.next),
    );
  }

  open(namespace: string): Promise<void> {
    this.namespace = namespace;
    this.prefix.value = '';
    return this.search();
  }

  search(): Promise<void> {
    this.cursors = [undefined];
    return this.go(0);
  }

  /** Shows the current page again (after a write). */
  refresh(): Promise<void> {
    return this.go(this.page);
  }

  private async go(page: number): Promise<void> {
    if (page < 0 || page >= this.cursors.length || this.namespace === '') return;
    let answer: Page<Entry>;
    try {
      answer = await json<Page<Entry>>('GET', `${ns(this.namespace)}/entries${query({ prefix: this.prefix.value, limit: this.limit.value, cursor: this.cursors[page] })}`);
    } catch (error) {
      show(this.list, problemView(error, 'listing entries'));
      return;
    }
    this.page = page;
    this.cursors.length = page + 1;
    if (answer.nextCursor) this.cursors.push(answer.nextCursor);
    this.previous.disabled = page === 0;
    this.next.disabled = !answer.nextCursor;
    this.pageLabel.textContent = `Page ${page + 1}${answer.nextCursor ? '' : ' (last)'}, ${answer.items.length} entries`;
    if (answer.items.length === 0) return show(this.list, h('p', {}, this.prefix.value ? 'No key starts with this prefix.' : 'No entries.'));
    show(this.list, h('table', { class: 'entries' },
      h('caption', {}, `Entries of ${this.namespace}${this.prefix.value ? ` starting with “${this.prefix.value}”` : ''}`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Key'), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'Version'), h('th', { scope: 'col' }, 'Updated'))),
      h('tbody', {}, answer.items.map((item) => h('tr', {},
        h('td', {}, h('button', { type: 'button', class: 'link', 'data-key': item.key, onclick: () => this.onOpen(item.key) }, item.key)),
        h('td', { class: 'value' }, preview(valueText(item))),
        h('td', {}, String(item.version)),
        h('td', { class: 'time' }, time(item.updatedAt)),
      ))),
    ));
  }
}
