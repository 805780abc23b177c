import { json, ns } from './api.js';
import { h, preview, show, time } from './dom.js';
import { clearDenied, markDenied, problemView } from './problems.js';
import { Entry, Page, Snapshot, valueText } from './types.js';

/** Snapshots of a namespace: take one, list them, look inside one. */
export class SnapshotView {
  private namespace = '';
  private readonly take = h('button', { type: 'button', onclick: () => void this.takeSnapshot() }, 'Take snapshot');
  private readonly list = h('div', { id: 'snapshot-list' });
  private readonly detail = h('div', { id: 'snapshot-detail', 'aria-live': 'polite' });

  constructor(root: HTMLElement) {
    show(root, h('div', { class: 'row' }, this.take), this.list, this.detail);
  }

  async open(namespace: string): Promise<void> {
    if (namespace !== this.namespace) clearDenied(this.take);
    this.namespace = namespace;
    this.detail.replaceChildren();
    await this.load();
  }

  private async load(): Promise<void> {
    let page: Page<Snapshot>;
    try {
      page = await json<Page<Snapshot>>('GET', `${ns(this.namespace)}/snapshots`);
    } catch (error) {
      show(this.list, problemView(error, 'listing snapshots'));
      return;
    }
    if (page.items.length === 0) return show(this.list, h('p', {}, 'No snapshots yet.'));
    show(this.list, h('table', {},
      h('caption', {}, `Snapshots of ${this.namespace}`),
      h('thead', {}, h('tr', {}, ['Revision', 'Entries', 'Taken', 'By', ''].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, page.items.map((snapshot) => h('tr', {},
        h('td', {}, String(snapshot.revision)),
        h('td', {}, String(snapshot.entryCount)),
        h('td', { class: 'time' }, time(snapshot.createdAt)),
        h('td', {}, snapshot.actor),
        h('td', {}, h('button', { type: 'button', onclick: () => void this.show(snapshot) }, `Show entries at ${snapshot.revision}`)),
      ))),
    ));
  }

  private async takeSnapshot(): Promise<void> {
    try {
      const snapshot = await json<Snapshot>('POST', `${ns(this.namespace)}/snapshots`, {});
      show(this.detail, h('p', {}, `Snapshot taken at revision ${snapshot.revision} (${snapshot.entryCount} entries).`));
      await this.load();
    } catch (error) {
      markDenied(this.take, error);
      show(this.detail, problemView(error, 'taking a snapshot'));
    }
  }

  private async show(snapshot: Snapshot): Promise<void> {
    try {
      const answer = await json<{ entries: Page<Entry> }>('GET', `${ns(this.namespace)}/snapshots/${encodeURIComponent(snapshot.id)}?limit=100`);
      const items = answer.entries?.items ?? [];
      show(this.detail, h('table', {},
        h('caption', {}, `Entries in the snapshot at revision ${snapshot.revision}${answer.entries?.nextCursor ? ' (first 100)' : ''}`),
        h('thead', {}, h('tr', {}, ['Key', 'Value', 'Version'].map((name) => h('th', { scope: 'col' }, name)))),
        h('tbody', {}, items.map((item) => h('tr', {}, h('td', {}, item.key), h('td', { class: 'value' }, preview(valueText(item))), h('td', {}, String(item.version))))),
      ));
    } catch (error) {
      show(this.detail, problemView(error, 'reading the snapshot'));
    }
  }
}
