import { json } from './api.js';
import { h, show } from './dom.js';
import { problemView } from './problems.js';
import { Namespace } from './types.js';

const limitText = (used: number, max: number | null | undefined, unit: string) => (max == null ? `${used} ${unit}, no limit` : `${used} of ${max} ${unit}`);

/** The namespaces the caller may read, with their counts, quota and tags; choosing one opens it. */
export class NamespaceList {
  private selected: string | undefined;

  constructor(private readonly root: HTMLElement, private readonly onSelect: (name: string) => void) {}

  async load(): Promise<void> {
    let namespaces: Namespace[];
    try {
      namespaces = await json<Namespace[]>('GET', '/v1/namespaces');
    } catch (error) {
      show(this.root, problemView(error, 'listing namespaces'));
      return;
    }
    if (namespaces.length === 0) return show(this.root, h('p', {}, 'No namespaces yet. A namespace is created by its first put.'));
    show(this.root, h('ul', { class: 'namespaces' }, namespaces.map((ns) => this.item(ns))));
  }

  select(name: string): void {
    this.selected = name;
    for (const button of this.root.querySelectorAll<HTMLButtonElement>('button[data-namespace]')) {
      button.setAttribute('aria-current', String(button.dataset.namespace === name));
    }
  }

  private item(ns: Namespace): HTMLElement {
    const tags = Object.entries(ns.tags ?? {});
    return h('li', {},
      h('button', {
        type: 'button', class: 'namespace', 'data-namespace': ns.name, 'aria-current': String(ns.name === this.selected),
        onclick: () => this.onSelect(ns.name),
      }, ns.name),
      h('dl', { class: 'facts' },
        h('dt', {}, 'Entries'), h('dd', {}, limitText(ns.entryCount, ns.quota?.maxEntries, 'entries')),
        h('dt', {}, 'Bytes'), h('dd', {}, limitText(ns.bytes, ns.quota?.maxBytes, 'bytes')),
        h('dt', {}, 'Revision'), h('dd', {}, String(ns.revision)),
        h('dt', {}, 'Tags'), h('dd', {}, tags.length === 0 ? 'none' : tags.map(([tag, color]) =>
          // The colour is a swatch beside the name: the name alone says which tag it is.
          h('span', { class: 'tag' }, swatch(color), tag))),
      ),
    );
  }
}

/** A swatch of the tag's colour (set through the CSSOM, which a strict CSP allows; only a valid #rrggbb). */
function swatch(color: string): HTMLElement {
  const element = h('span', { class: 'swatch', 'aria-hidden': 'true' });
  if (/^#[0-9a-f]{6}$/i.test(color)) element.style.backgroundColor = color;
  return element;
}
