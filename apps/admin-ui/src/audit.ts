import { ApiError, json, ns, query } from './api.js';
import { h, show, time } from './dom.js';
import { problemView } from './problems.js';
import { AuditItem, Page } from './types.js';

/** The audit trail of a namespace (who changed what, from the log); a service without it says so. */
export class AuditView {
  private namespace = '';
  private cursor: string | undefined;
  private readonly actor = h('input', { id: 'audit-actor', name: 'actor', autocomplete: 'off' });
  private readonly type = h('input', { id: 'audit-type', name: 'type', autocomplete: 'off', placeholder: 'e.g. StoreEntryUpdated' });
  private readonly list = h('div', { id: 'audit-list' });
  private readonly more = h('button', { type: 'button', hidden: true, onclick: () => void this.load(false) }, 'More');

  constructor(root: HTMLElement) {
    show(root,
      h('form', { class: 'row', onsubmit: (event) => { event.preventDefault(); void this.load(true); } },
        h('label', { for: 'audit-actor' }, 'Actor'), this.actor,
        h('label', { for: 'audit-type' }, 'Event type'), this.type,
        h('button', { type: 'submit' }, 'Filter')),
      this.list,
      this.more,
    );
  }

  open(namespace: string): Promise<void> {
    this.namespace = namespace;
    return this.load(true);
  }

  private async load(first: boolean): Promise<void> {
    if (first) this.cursor = undefined;
    let page: Page<AuditItem>;
    try {
      page = await json<Page<AuditItem>>('GET', `${ns(this.namespace)}/audit${query({ actor: this.actor.value, type: this.type.value, limit: 50, cursor: this.cursor })}`);
    } catch (error) {
      this.more.hidden = true;
      const missing = error instanceof ApiError && error.status === 404 && error.problem.code === 'ROUTE_NOT_FOUND';
      show(this.list, missing ? h('p', { class: 'notice' }, 'The audit trail is not available on this service.') : problemView(error, 'reading the audit trail'));
      return;
    }
    this.cursor = page.nextCursor ?? undefined;
    this.more.hidden = !page.nextCursor;
    const rows = page.items.map((item) => h('tr', {},
      h('td', {}, String(item.revision)), h('td', {}, item.type.replace(/^Store/, '')), h('td', {}, item.key ?? '—'),
      h('td', {}, item.actor), h('td', { class: 'time' }, time(item.timestamp)), h('td', { class: 'mono' }, item.correlationId ?? '—')));
    const body = first ? undefined : this.list.querySelector('tbody');
    if (body) return void body.append(...rows);
    if (rows.length === 0) return show(this.list, h('p', {}, 'No audit records match.'));
    show(this.list, h('table', {},
      h('caption', {}, `Audit trail of ${this.namespace}`),
      h('thead', {}, h('tr', {}, ['Revision', 'Change', 'Key', 'Actor', 'Time', 'Correlation'].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, rows)));
  }
}
