import { ApiError, entry, json, query } from './api.js';
import { h, preview, show, time } from './dom.js';
import { clearDenied, confirmDialog, markDenied, problemView } from './problems.js';
import { Entry, HistoryItem, Page, valueText } from './types.js';

/** One key: its value to edit or delete, its history, and its value as of any revision. */
export class EntryEditor {
  private namespace = '';
  private readonly key = h('input', { id: 'edit-key', name: 'key', required: true, autocomplete: 'off' });
  private readonly value = h('textarea', { id: 'edit-value', name: 'value', rows: 5 });
  private readonly save = h('button', { type: 'submit' }, 'Save value');
  private readonly remove = h('button', { type: 'button', class: 'danger', onclick: () => void this.delete() }, 'Delete key');
  private readonly status = h('div', { id: 'edit-status', 'aria-live': 'polite' });
  private readonly history = h('div', { id: 'history' });
  private readonly asOfRevision = h('input', { id: 'asof-revision', type: 'number', min: 0, name: 'asOf' });
  private readonly asOfResult = h('div', { id: 'asof-result', 'aria-live': 'polite' });

  constructor(root: HTMLElement, private readonly onWritten: () => void) {
    show(root,
      h('form', { class: 'editor', onsubmit: (event) => { event.preventDefault(); void this.put(); } },
        h('label', { for: 'edit-key' }, 'Key'), this.key,
        h('label', { for: 'edit-value' }, 'Value'), this.value,
        h('div', { class: 'row' }, this.save, h('button', { type: 'button', onclick: () => void this.load(this.key.value) }, 'Load key'), this.remove),
      ),
      this.status,
      h('h3', {}, 'History'),
      h('form', { class: 'row', onsubmit: (event) => { event.preventDefault(); void this.asOf(Number(this.asOfRevision.value)); } },
        h('label', { for: 'asof-revision' }, 'Value as of revision'), this.asOfRevision,
        h('button', { type: 'submit' }, 'Time travel'),
      ),
      this.asOfResult,
      this.history,
    );
  }

  reset(namespace: string): void {
    this.namespace = namespace;
    clearDenied(this.save, this.remove);
    this.key.value = '';
    this.value.value = '';
    this.status.replaceChildren();
    this.history.replaceChildren();
    this.asOfResult.replaceChildren();
  }

  async load(key: string): Promise<void> {
    if (key === '') return;
    this.key.value = key;
    this.asOfRevision.value = '';
    this.asOfResult.replaceChildren();
    try {
      const current = await json<Entry>('GET', entry(this.namespace, key));
      this.value.value = current.value ?? '';
      this.value.readOnly = current.value === undefined;
      show(this.status, current.value === undefined ? `Binary value (${valueText(current)}): shown in the history, not editable here.` : `Version ${current.version}, updated ${time(current.updatedAt)}.`);
    } catch (error) {
      this.value.value = '';
      show(this.status, error instanceof ApiError && error.status === 404 ? 'No such entry now (deleted or never written): its history is below.' : problemView(error, 'reading the entry'));
    }
    await this.loadHistory(key);
  }

  private async loadHistory(key: string): Promise<void> {
    let page: Page<HistoryItem>;
    try {
      page = await json<Page<HistoryItem>>('GET', `${entry(this.namespace, key)}/history${query({ limit: 100 })}`);
    } catch (error) {
      show(this.history, problemView(error, 'reading the history'));
      return;
    }
    if (page.items.length === 0) return show(this.history, h('p', {}, 'No history.'));
    show(this.history, h('table', { class: 'history' },
      h('caption', {}, `History of ${key}, oldest first${page.nextCursor ? ' (first 100 changes)' : ''}`),
      h('thead', {}, h('tr', {}, ['Revision', 'Change', 'Version', 'Actor', 'Time', 'Value', ''].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, page.items.map((item) => h('tr', {},
        h('td', {}, String(item.revision)),
        h('td', {}, item.type.replace(/^Store/, '')),
        h('td', {}, item.version === undefined ? '—' : String(item.version)),
        h('td', {}, item.actor),
        h('td', { class: 'time' }, time(item.timestamp)),
        h('td', { class: 'value' }, item.value !== undefined || item.valueBase64 !== undefined ? preview(valueText(item)) : '—'),
        h('td', {}, h('button', { type: 'button', onclick: () => void this.asOf(item.revision) }, `As of ${item.revision}`)),
      ))),
    ));
  }

  private async asOf(revision: number): Promise<void> {
    if (!Number.isInteger(revision) || revision < 0) return show(this.asOfResult, problemView(new Error('a revision is a whole number from 0')));
    this.asOfRevision.value = String(revision);
    try {
      const then = await json<Entry>('GET', `${entry(this.namespace, this.key.value)}${query({ asOf: revision })}`);
      show(this.asOfResult, h('p', {}, h('strong', {}, `At revision ${revision}: `), `version ${then.version}, value `, h('code', { class: 'value' }, valueText(then))));
    } catch (error) {
      show(this.asOfResult, error instanceof ApiError && error.status === 404
        ? h('p', {}, h('strong', {}, `At revision ${revision}: `), 'the key did not exist.')
        : problemView(error, 'time travel'));
    }
  }

  private async put(): Promise<void> {
    const key = this.key.value;
    try {
      const written = await json<Entry & { created: boolean; revision: number }>('PUT', entry(this.namespace, key), { value: this.value.value });
      show(this.status, `Saved: ${written.created ? 'created' : 'updated'} at version ${written.version} (revision ${written.revision}).`);
      this.onWritten();
      await this.loadHistory(key);
    } catch (error) {
      markDenied(this.save, error);
      show(this.status, problemView(error, 'saving'));
    }
  }

  private async delete(): Promise<void> {
    const key = this.key.value;
    if (key === '') return;
    const confirmed = await confirmDialog(`Delete ${key}?`, [`The key leaves ${this.namespace}; its history stays and it can be restored.`], 'Delete');
    if (!confirmed) return show(this.status, 'Not deleted.');
    try {
      await json('DELETE', entry(this.namespace, key));
      show(this.status, `Deleted ${key}.`);
      this.value.value = '';
      this.onWritten();
      await this.loadHistory(key);
    } catch (error) {
      markDenied(this.remove, error);
      show(this.status, problemView(error, 'deleting'));
    }
  }
}
