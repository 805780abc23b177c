import { ApiError, json, token, whenUnauthorized } from './api.js';
import { AuditView } from './audit.js';
import { downloadBackup } from './backup.js';
import { byId, h, show } from './dom.js';
import { EntryEditor } from './editor.js';
import { EntryBrowser } from './entries.js';
import { FeedPanel } from './feed.js';
import { NamespaceList } from './namespaces.js';
import { clearDenied, problemView } from './problems.js';
import { RollbackView } from './rollback.js';
import { SnapshotView } from './snapshots.js';
import { WhoAmI } from './types.js';

const TABS = ['entries', 'rollback', 'snapshots', 'audit'] as const;
type Tab = (typeof TABS)[number];

let selected: string | undefined;
let tab: Tab = 'entries';
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

const namespaces = new NamespaceList(byId('namespace-list'), (name) => void select(name));
const editor = new EntryEditor(byId('entry-editor'), () => written());
const browser = new EntryBrowser(byId('entry-browser'), (key) => void editor.load(key));
const rollback = new RollbackView(byId('rollback'), () => written());
const snapshots = new SnapshotView(byId('snapshots'));
const audit = new AuditView(byId('audit'));
const feed = new FeedPanel(byId('feed'), () => {
  // Counts and revisions in the namespace list follow the feed (at most a few times a second).
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    if (!byId('app').hidden) void namespaces.load().then(() => selected && namespaces.select(selected));
  }, 300);
});

function written(): void {
  void browser.refresh();
}

async function select(name: string): Promise<void> {
  selected = name;
  namespaces.select(name);
  byId('ns-heading').textContent = `Namespace ${name}`;
  byId('workspace-body').hidden = false;
  const backup = byId<HTMLButtonElement>('backup-namespace');
  clearDenied(backup);
  backup.textContent = `Download backup of ${name}`;
  editor.reset(name);
  await Promise.all([browser.open(name), openTab(tab)]);
}

async function openTab(next: Tab): Promise<void> {
  tab = next;
  for (const name of TABS) {
    const button = byId(`tab-${name}`);
    button.setAttribute('aria-selected', String(name === next));
    button.tabIndex = name === next ? 0 : -1;
    byId(`panel-${name}`).hidden = name !== next;
  }
  if (selected === undefined) return;
  if (next === 'rollback') await rollback.open(selected);
  if (next === 'snapshots') await snapshots.open(selected);
  if (next === 'audit') await audit.open(selected);
}

function wireTabs(): void {
  TABS.forEach((name, index) => {
    const button = byId(`tab-${name}`);
    button.addEventListener('click', () => void openTab(name));
    // Arrow keys move between tabs, as in any tab list.
    button.addEventListener('keydown', (event) => {
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (step === 0) return;
      const target = TABS[(index + step + TABS.length) % TABS.length];
      byId(`tab-${target}`).focus();
      void openTab(target);
    });
  });
}

/** Who the token says the caller is; without a valid one (auth on) only the token field is shown. */
async function signIn(): Promise<void> {
  const who = byId('whoami');
  const app = byId('app');
  feed.stop();
  clearTimeout(refreshTimer);
  // Another credential may do more (or less) than the last one.
  clearDenied(...document.querySelectorAll<HTMLButtonElement>('button[data-denied]'));
  try {
    const me = await json<WhoAmI>('GET', '/v1/whoami');
    show(who, token.get() === '' && me.user === 'anonymous'
      ? 'Authentication is off: every call is anonymous.'
      : `Signed in as ${me.user}${me.roles.length ? ` (roles: ${me.roles.join(', ')})` : ' (no roles)'}.`);
    app.hidden = false;
  } catch (error) {
    app.hidden = true;
    show(who, error instanceof ApiError && error.status === 401
      ? h('span', {}, token.get() === '' ? 'Authentication is on: paste a token to sign in.' : 'This token is not accepted: paste another.', problemView(error))
      : problemView(error, 'who am I'));
    return;
  }
  await namespaces.load();
  if (selected) await select(selected);
  feed.start();
}

function wireHeader(): void {
  const input = byId<HTMLInputElement>('token');
  byId('auth-form').addEventListener('submit', (event) => {
    event.preventDefault();
    token.set(input.value.trim());
    // The secret stays in sessionStorage only, not in the page.
    input.value = '';
    void signIn();
  });
  byId('forget-token').addEventListener('click', () => {
    token.set('');
    input.value = '';
    void signIn();
  });
  const all = byId<HTMLButtonElement>('backup-all');
  all.addEventListener('click', () => void downloadBackup(all, byId('backup-status')));
  const one = byId<HTMLButtonElement>('backup-namespace');
  one.addEventListener('click', () => selected && void downloadBackup(one, byId('backup-status'), selected));
  byId('ns-refresh').addEventListener('click', () => void namespaces.load().then(() => selected && namespaces.select(selected)));
}

wireTabs();
wireHeader();
// A token refused while the page is open (expired, revoked): back to the token field.
whenUnauthorized(() => {
  if (!byId('app').hidden) void signIn();
});
void openTab('entries');
void signIn();
