import { ApiError } from './api.js';
import { h } from './dom.js';

/** A refused call as the page shows it: status and code in words, the problem document's fields as text. */
export function problemView(error: unknown, context?: string): HTMLElement {
  if (!(error instanceof ApiError)) {
    return h('div', { class: 'problem', role: 'alert' }, h('strong', {}, 'Error: '), context ? `${context}: ` : '', String((error as Error)?.message ?? error));
  }
  const { problem } = error;
  const lead = problem.status === 401 ? 'Not signed in' : problem.status === 403 ? 'Not allowed' : 'Error';
  const extra = Object.entries(problem).filter(([name]) => !['type', 'title', 'status', 'code', 'detail', 'instance'].includes(name));
  return h('div', { class: 'problem', role: 'alert', 'data-code': problem.code },
    h('strong', {}, `${lead} (${problem.status || 'no answer'} ${problem.code})`),
    context ? ` ${context}: ` : ' ',
    problem.title,
    problem.detail && problem.detail !== problem.title ? h('p', {}, problem.detail) : null,
    problem.status === 401 ? h('p', {}, 'Paste a token in the Token field above.') : null,
    extra.length > 0 ? h('dl', {}, extra.flatMap(([name, value]) => [h('dt', {}, name), h('dd', {}, typeof value === 'string' ? value : JSON.stringify(value))])) : null,
  );
}

/** A control the caller may not use (it answered 401/403): disabled, and saying so in words. */
export function markDenied(control: HTMLButtonElement, error: unknown): void {
  if (!(error instanceof ApiError) || !error.denied) return;
  if (control.dataset.denied === undefined) control.dataset.label = control.textContent ?? '';
  control.disabled = true;
  control.dataset.denied = String(error.status);
  control.textContent = `${control.dataset.label} (not permitted)`;
}

/** Enables a control again (another namespace, another token: the answer may differ). */
export function clearDenied(...controls: HTMLButtonElement[]): void {
  for (const control of controls) {
    if (control.dataset.denied === undefined) continue;
    control.disabled = false;
    control.textContent = control.dataset.label ?? control.textContent;
    delete control.dataset.denied;
  }
}

/** Asks before a change that cannot be taken back quietly; answers whether the caller confirmed. */
export function confirmDialog(title: string, body: (Node | string)[], confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' },
      h('h2', { id: 'confirm-title' }, title),
      h('div', {}, ...body),
      h('form', { method: 'dialog', class: 'actions' },
        h('button', { value: 'cancel', type: 'submit', autofocus: true }, 'Cancel'),
        h('button', { value: 'confirm', type: 'submit', class: 'danger' }, confirmLabel),
      ),
    );
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm');
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}
