import { json, ns } from './api.js';
import { h, show, time } from './dom.js';
import { clearDenied, confirmDialog, markDenied, problemView } from './problems.js';
import { Page, RollbackPoint, RollbackResult } from './types.js';

/** Rollback points of a namespace; a rollback asks first, then shows what it changed. */
export class RollbackView {
  private namespace = '';
  private readonly label = h('input', { id: 'point-label', name: 'label', autocomplete: 'off', maxlength: 200 });
  private readonly create = h('button', { type: 'submit' }, 'Create rollback point');
  private readonly list = h('div', { id: 'rollback-points' });
  private readonly result = h('div', { id: 'rollback-result', 'aria-live': 'polite' });

  constructor(root: HTMLElement, private readonly onWritten: () => void) {
    show(root,
      h('form', { class: 'row', onsubmit: (event) => { event.preventDefault(); void this.createPoint(); } },
        h('label', { for: 'point-label' }, 'Label'), this.label, this.create),
      this.result,
      this.list,
    );
  }

  async open(namespace: string): Promise<void> {
    if (namespace !== this.namespace) clearDenied(this.create);
    this.namespace = namespace;
    this.result.replaceChildren();
    await this.load();
  }

  private async load(): Promise<void> {
    let page: Page<RollbackPoint>;
    try {
      page = await json<Page<RollbackPoint>>('GET', `${ns(this.namespace)}/rollback-points`);
    } catch (error) {
      show(this.list, problemView(error, 'listing rollback points'));
      return;
    }
    if (page.items.length === 0) return show(this.list, h('p', {}, 'No rollback points yet.'));
    show(this.list, h('table', {},
      h('caption', {}, `Rollback points of ${this.namespace}, newest last`),
      h('thead', {}, h('tr', {}, ['Label', 'Revision', 'Created', 'By', ''].map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, page.items.map((point) => {
        const button: HTMLButtonElement = h('button', { type: 'button', class: 'danger', 'data-point': point.id, onclick: () => void this.rollBack(point, button) }, 'Roll back to here…');
        return h('tr', {},
          h('td', {}, point.label ?? point.stage ?? '(no label)'),
          h('td', {}, String(point.revision)),
          h('td', { class: 'time' }, time(point.createdAt)),
          h('td', {}, point.actor),
          h('td', {}, button),
        );
      })),
    ));
  }

  private async createPoint(): Promise<void> {
    try {
      const point = await json<RollbackPoint>('POST', `${ns(this.namespace)}/rollback-points`, this.label.value ? { label: this.label.value } : {});
      show(this.result, h('p', {}, `Rollback point “${point.label ?? point.id}” made at revision ${point.revision}.`));
      this.label.value = '';
      await this.load();
    } catch (error) {
      markDenied(this.create, error);
      show(this.result, problemView(error, 'creating a rollback point'));
    }
  }

  private async rollBack(point: RollbackPoint, button: HTMLButtonElement): Promise<void> {
    const name = point.label ?? point.id;
    const confirmed = await confirmDialog(`Roll ${this.namespace} back to “${name}”?`, [
      h('p', {}, `Every entry returns to what it was at revision ${point.revision}. The rollback is written as new events (nothing is erased), and an undo point is made first.`),
    ], 'Roll back');
    if (!confirmed) return show(this.result, h('p', {}, 'Rollback cancelled: nothing changed.'));
    try {
      const done = await json<RollbackResult>('POST', `${ns(this.namespace)}/rollback`, { pointId: point.id });
      show(this.result, diffView(done));
      this.onWritten();
      await this.load();
    } catch (error) {
      markDenied(button, error);
      show(this.result, problemView(error, 'rolling back'));
    }
  }
}

function diffView(result: RollbackResult): HTMLElement {
  const part = (title: string, keys: string[]) => h('section', { class: 'diff-part', 'data-part': title.toLowerCase() },
    h('h4', {}, `${title} (${keys.length})`),
    keys.length === 0 ? h('p', {}, 'none') : h('ul', {}, keys.map((key) => h('li', {}, key))));
  return h('div', { class: 'diff', id: 'rollback-diff' },
    h('p', {}, h('strong', {}, 'Rolled back '), `to revision ${result.toRevision}; now at revision ${result.revision}. Undo point: ${result.undoPointId}.`),
    part('Restored', result.diff.restored), part('Changed', result.diff.changed), part('Removed', result.diff.removed));
}
