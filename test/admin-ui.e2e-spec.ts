/**
 * The admin page at /ui in a real browser (Debian's chromium driven by playwright-core) against the
 * service serving the built page (dist/admin-ui, from `npm run build`): browse, search and page, edit, watch the feed, roll back through the confirmation
 * and read the diff, time travel, snapshots, backup download; stored values stay text; no console
 * error, no page error, no CSP violation. Screenshots go to test/artifacts/admin-ui (not committed).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Browser, chromium, ConsoleMessage, Page } from 'playwright-core';
import { http, useService } from './support/service';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = resolve(__dirname, 'artifacts/admin-ui');
const XSS = '<img src=x onerror="window.__xss=1;alert(1)">';
const WAIT = { timeout: 15_000 };

/** Everything the browser said that a clean page never says: console errors, page errors, dialogs it opened by itself. */
interface Trouble {
  consoleErrors: string[];
  pageErrors: string[];
  alerts: string[];
}

/**
 * A failed request shows in Chrome's console as "Failed to load resource"; the page makes some on
 * purpose (the audit trail on a service without it, a token that is refused). Those are allowed
 * only for the exact calls listed, so any other failure still fails the test.
 */
function watch(page: Page, expectedFailures: RegExp[]): Trouble {
  const trouble: Trouble = { consoleErrors: [], pageErrors: [], alerts: [] };
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    const where = message.location().url;
    if (message.text().startsWith('Failed to load resource') && expectedFailures.some((url) => url.test(where))) return;
    trouble.consoleErrors.push(`${message.text()} (${where})`);
  });
  page.on('pageerror', (error) => trouble.pageErrors.push(error.message));
  page.on('dialog', (dialog) => {
    trouble.alerts.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return trouble;
}

async function launch(): Promise<Browser> {
  // Not a skip: CI installs chromium (.ci/run), and a machine without it must say so.
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false });

const texts = (page: Page, selector: string) => page.locator(selector).allTextContents();

beforeAll(() => mkdirSync(ARTIFACTS, { recursive: true }));

describe('the admin page with authentication off', () => {
  const service = useService();
  const target = useService();
  let browser: Browser;
  let page: Page;
  let trouble: Trouble;
  let auditBuilt: boolean;

  const put = (ns: string, key: string, value: string) => http('PUT', `${service.url}/v1/namespaces/${ns}/entries/${encodeURIComponent(key)}`, { value });

  beforeAll(async () => {
    browser = await launch();
    for (let i = 1; i <= 25; i++) expect((await put('billing', `plans/p${String(i).padStart(2, '0')}`, `v${i}`)).status).toBe(201);
    expect((await put('billing', 'xss', XSS)).status).toBe(201);
    expect((await put('billing', XSS, 'a hostile key')).status).toBe(201);
    expect((await http('PUT', `${service.url}/v1/namespaces/billing/quota`, { maxEntries: 100 })).status).toBe(200);
    expect((await http('PUT', `${service.url}/v1/namespaces/billing/tags/prod`, { color: '#cc0000' })).status).toBeLessThan(300);
    expect((await put('inventory', 'apples', '3')).status).toBe(201);
    auditBuilt = (await http('GET', `${service.url}/v1/namespaces/billing/audit`)).status === 200;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    page = await context.newPage();
    // Refused on purpose: the value as of a revision before the key existed; the audit trail where it is not built.
    trouble = watch(page, [/\/entries\/plans%2Fp01\?asOf=\d+$/, ...(auditBuilt ? [] : [/\/v1\/namespaces\/billing\/audit/])]);
  });

  afterAll(() => browser?.close());

  it('serves the page with a strict Content-Security-Policy and no credential needed', async () => {
    const response = await page.goto(`${service.url}/ui`);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`${service.url}/ui/`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('#whoami', { hasText: 'Authentication is off' }).waitFor(WAIT);
  });

  it('serves the built files only: no path leads out of them, and they name nothing of this machine', async () => {
    for (const path of ['/ui/../package.json', '/ui/%2e%2e/package.json', '/ui/..%2fpackage.json', '/ui/%2e%2e%2f%2e%2e%2fpackage.json',
      '/ui/main.ts', '/ui/.tsbuildinfo', '/ui/index.html/', '/ui//etc/passwd', '/ui/%00', '/ui/main.js%00.html']) {
      const answer = await http('GET', `${service.url}${path}`);
      expect({ path, refused: answer.status >= 400 && answer.status < 500, leaked: JSON.stringify(answer.body ?? '').includes('dependencies') })
        .toEqual({ path, refused: true, leaked: false });
    }
    expect([404, 405]).toContain((await http('POST', `${service.url}/ui/`, {})).status);
    const built = resolve(__dirname, '../dist/admin-ui');
    const files = readdirSync(built);
    expect(files).toEqual(expect.arrayContaining(['index.html', 'main.js', 'styles.css']));
    for (const file of files) {
      const answer = await fetch(`${service.url}/ui/${file}`);
      const text = await answer.text();
      expect({ file, status: answer.status, machinePath: text.includes(resolve(__dirname, '..')), sourceMap: text.includes('sourceMappingURL') })
        .toEqual({ file, status: 200, machinePath: false, sourceMap: false });
    }
  });

  it('lists the namespaces with their counts, quota and tags', async () => {
    const billing = page.locator('.namespaces li', { has: page.locator('button[data-namespace="billing"]') });
    await billing.waitFor(WAIT);
    const facts = await billing.locator('dd').allTextContents();
    expect(facts).toEqual(['27 of 100 entries', expect.stringMatching(/^\d+ bytes, no limit$/), expect.stringMatching(/^\d+$/), 'prod']);
    expect(await page.locator('button[data-namespace="inventory"]').textContent()).toBe('inventory');
    await shot(page, '01-namespaces');
  });

  it('browses a namespace with prefix search and paging by cursor', async () => {
    await page.click('button[data-namespace="billing"]');
    await page.locator('#entry-list caption', { hasText: 'Entries of billing' }).waitFor(WAIT);
    expect(await page.locator('button[data-namespace="billing"]').getAttribute('aria-current')).toBe('true');
    await page.fill('#entry-prefix', 'plans/');
    await page.fill('#entry-limit', '10');
    await page.click('#entry-browser button[type="submit"]');
    await page.locator('#entry-page', { hasText: 'Page 1, 10 entries' }).waitFor(WAIT);
    expect(await texts(page, '#entry-list tbody button[data-key]')).toEqual(Array.from({ length: 10 }, (_, i) => `plans/p${String(i + 1).padStart(2, '0')}`));
    await page.click('text=Next page');
    await page.locator('#entry-page', { hasText: 'Page 2, 10 entries' }).waitFor(WAIT);
    expect((await texts(page, '#entry-list tbody button[data-key]'))[0]).toBe('plans/p11');
    await page.click('text=Next page');
    await page.locator('#entry-page', { hasText: 'Page 3 (last), 5 entries' }).waitFor(WAIT);
    expect(await texts(page, '#entry-list tbody button[data-key]')).toEqual(['plans/p21', 'plans/p22', 'plans/p23', 'plans/p24', 'plans/p25']);
    expect(await page.locator('text=Next page').isDisabled()).toBe(true);
    await page.click('text=Previous page');
    await page.locator('#entry-page', { hasText: 'Page 2, 10 entries' }).waitFor(WAIT);
    await shot(page, '02-entries-paged');
  });

  it('shows hostile values and keys as text, never as markup', async () => {
    await page.fill('#entry-prefix', '');
    await page.fill('#entry-limit', '100');
    await page.click('#entry-browser button[type="submit"]');
    await page.locator('#entry-page', { hasText: 'Page 1 (last), 27 entries' }).waitFor(WAIT);
    const row = page.locator('#entry-list tbody tr', { has: page.locator('button[data-key="xss"]') });
    expect(await row.locator('td.value').textContent()).toBe(XSS);
    expect(await page.locator(`#entry-list button[data-key="${XSS.replace(/"/g, '\\"')}"]`).textContent()).toBe(XSS);
    await page.click('button[data-key="xss"]');
    await page.locator('#edit-status', { hasText: 'Version 1' }).waitFor(WAIT);
    expect(await page.inputValue('#edit-value')).toBe(XSS);
    await page.locator('#history td.value', { hasText: XSS }).waitFor(WAIT);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect(trouble.alerts).toEqual([]);
  });

  it('edits a value and sees the change arrive in the live feed, with changes made elsewhere', async () => {
    await page.locator('#feed-state', { hasText: 'Feed: live' }).waitFor(WAIT);
    await page.click('button[data-key="plans/p01"]');
    await page.locator('#edit-status', { hasText: 'Version 1' }).waitFor(WAIT);
    expect(await page.inputValue('#edit-key')).toBe('plans/p01');
    expect(await page.inputValue('#edit-value')).toBe('v1');
    await page.fill('#edit-value', 'edited in the page');
    await page.click('text=Save value');
    await page.locator('#edit-status', { hasText: 'Saved: updated at version 2' }).waitFor(WAIT);
    await page.locator('#feed-events li[data-type="StoreEntryUpdated"]', { hasText: 'billing / plans/p01' }).waitFor(WAIT);
    expect((await http('GET', `${service.url}/v1/namespaces/billing/entries/plans/p01`)).body.value).toBe('edited in the page');
    // A write by someone else shows up too, without a reload.
    expect((await put('inventory', 'pears', '7')).status).toBe(201);
    await page.locator('#feed-events li[data-type="StoreEntryCreated"]', { hasText: 'inventory / pears' }).waitFor(WAIT);
    await page.locator('#entry-list tbody tr', { hasText: 'edited in the page' }).waitFor(WAIT);
    await shot(page, '03-edited-and-feed');
  });

  it('shows a key\'s history and its value as of an earlier revision', async () => {
    const rows = page.locator('#history tbody tr');
    await rows.nth(1).waitFor(WAIT);
    expect(await rows.count()).toBe(2);
    expect(await rows.nth(0).locator('td').nth(1).textContent()).toBe('EntryCreated');
    expect(await rows.nth(1).locator('td').nth(1).textContent()).toBe('EntryUpdated');
    const firstRevision = Number(await rows.nth(0).locator('td').first().textContent());
    await rows.nth(0).locator('button').click();
    await page.locator('#asof-result', { hasText: `At revision ${firstRevision}:` }).waitFor(WAIT);
    expect(await page.locator('#asof-result code').textContent()).toBe('v1');
    // Before the key was written: it did not exist.
    await page.fill('#asof-revision', String(firstRevision - 1));
    await page.press('#asof-revision', 'Enter');
    await page.locator('#asof-result', { hasText: 'the key did not exist' }).waitFor(WAIT);
    await shot(page, '04-history-as-of');
  });

  it('rolls back to a point only once confirmed, and shows the diff it made', async () => {
    await page.click('#tab-rollback');
    expect(await page.locator('#panel-rollback').isVisible()).toBe(true);
    await page.fill('#point-label', 'before the change');
    await page.click('text=Create rollback point');
    await page.locator('#rollback-result', { hasText: 'Rollback point “before the change” made' }).waitFor(WAIT);
    // Then things change: one value edited, one key deleted (confirmed), one key added.
    expect((await put('billing', 'plans/p02', 'changed')).status).toBe(200);
    expect((await put('billing', 'plans/new', 'added')).status).toBe(201);
    await page.click('#tab-entries');
    await page.fill('#edit-key', 'plans/p03');
    await page.click('text=Load key');
    await page.locator('#edit-status', { hasText: 'Version 1' }).waitFor(WAIT);
    await page.click('text=Delete key');
    await page.locator('dialog[open]', { hasText: 'Delete plans/p03?' }).waitFor(WAIT);
    await page.click('dialog[open] button[value="confirm"]');
    await page.locator('#edit-status', { hasText: 'Deleted plans/p03.' }).waitFor(WAIT);
    expect((await http('GET', `${service.url}/v1/namespaces/billing/entries/plans/p03`)).status).toBe(404);

    await page.click('#tab-rollback');
    const rollBack = page.locator('#rollback-points tr', { hasText: 'before the change' }).locator('button');
    // Cancelled (by Escape, from the keyboard): nothing changes.
    await rollBack.click();
    await page.locator('dialog[open]', { hasText: 'Roll billing back to “before the change”?' }).waitFor(WAIT);
    await shot(page, '05-rollback-confirm');
    await page.keyboard.press('Escape');
    await page.locator('#rollback-result', { hasText: 'Rollback cancelled' }).waitFor(WAIT);
    expect((await http('GET', `${service.url}/v1/namespaces/billing/entries/plans/p02`)).body.value).toBe('changed');
    // Confirmed.
    await rollBack.click();
    await page.click('dialog[open] button[value="confirm"]');
    await page.locator('#rollback-diff').waitFor(WAIT);
    const part = (name: string) => page.locator(`#rollback-diff [data-part="${name}"] li`).allTextContents();
    expect({ restored: await part('restored'), changed: await part('changed'), removed: await part('removed') })
      .toEqual({ restored: ['plans/p03'], changed: ['plans/p02'], removed: ['plans/new'] });
    expect((await http('GET', `${service.url}/v1/namespaces/billing/entries/plans/p02`)).body.value).toBe('v2');
    expect((await http('GET', `${service.url}/v1/namespaces/billing/entries/plans/p03`)).body.value).toBe('v3');
    expect((await http('GET', `${service.url}/v1/namespaces/billing/entries/plans/new`)).status).toBe(404);
    await page.locator('#feed-events li', { hasText: 'billing / plans/new' }).first().waitFor(WAIT);
    await shot(page, '06-rollback-diff');
    // The rollback is new events in the key's history, not an erased past.
    await page.click('#tab-entries');
    await page.fill('#entry-prefix', 'plans/');
    await page.fill('#entry-limit', '8');
    await page.click('#entry-browser button[type="submit"]');
    await page.click('button[data-key="plans/p02"]');
    await page.locator('#history caption', { hasText: 'History of plans/p02' }).waitFor(WAIT);
    expect(await page.locator('#history tbody td.value').allTextContents()).toEqual(['v2', 'changed', 'v2']);
    await page.evaluate('document.getElementById("workspace").scrollTop = 0');
    await shot(page, '06b-entries-after-rollback');
  });

  it('takes a snapshot and shows what it captured; switches views from the keyboard', async () => {
    await page.focus('#tab-rollback');
    await page.keyboard.press('ArrowRight');
    expect(await page.getAttribute('#tab-snapshots', 'aria-selected')).toBe('true');
    expect(await page.evaluate('document.activeElement.id')).toBe('tab-snapshots');
    await page.click('text=Take snapshot');
    await page.locator('#snapshot-detail', { hasText: 'Snapshot taken at revision' }).waitFor(WAIT);
    await page.locator('#snapshot-list tbody button').first().click();
    await page.locator('#snapshot-detail caption', { hasText: 'Entries in the snapshot' }).waitFor(WAIT);
    expect(await page.locator('#snapshot-detail tbody tr').count()).toBe(27);
    await shot(page, '07-snapshot');
  });

  it('shows the audit trail, or says it is not available', async () => {
    await page.focus('#tab-snapshots');
    await page.keyboard.press('ArrowRight');
    expect(await page.getAttribute('#tab-audit', 'aria-selected')).toBe('true');
    if (auditBuilt) {
      await page.locator('#audit-list caption', { hasText: 'Audit trail of billing' }).waitFor(WAIT);
      expect(await page.locator('#audit-list tbody tr').count()).toBeGreaterThan(0);
    } else {
      await page.locator('#audit-list', { hasText: 'The audit trail is not available on this service.' }).waitFor(WAIT);
    }
    await shot(page, '08-audit');
  });

  it('downloads a backup that restores into an empty store', async () => {
    const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.click('#backup-all')]);
    expect(download.suggestedFilename()).toMatch(/^hexastore-.*\.ndjson\.gz$/);
    const file = join(ARTIFACTS, 'backup.ndjson.gz');
    await download.saveAs(file);
    await page.locator('#backup-status', { hasText: 'Backup downloaded' }).waitFor(WAIT);
    const bytes = readFileSync(file);
    const lines = gunzipSync(bytes).toString('utf8').trimEnd().split('\n');
    expect(JSON.parse(lines[0])).toMatchObject({ format: 'hexastore-backup', namespaces: ['billing', 'inventory'] });
    const restored = await target.store.restore(bytes);
    expect(restored).toMatchObject({ restored: true, namespaces: ['billing', 'inventory'], events: lines.length - 2 });
    expect((await target.store.get('billing', 'plans/p01')).value).toBe('edited in the page');
    expect((await target.store.get('billing', 'xss')).value).toBe(XSS);
  });

  it('said nothing wrong in the console, threw nothing, opened no dialog of its own', () => {
    expect(trouble).toEqual({ consoleErrors: [], pageErrors: [], alerts: [] });
  });
});

describe('the admin page with authentication on', () => {
  const secret = randomBytes(32).toString('base64url');
  const TOKEN = `ops-key.${secret}`;
  const service = useService({
    env: { STORE_AUTH: 'on' },
    config: { name: 'store.yaml', text: `apiKeys:\n  - id: ops-key\n    sha256: "${createHash('sha256').update(secret).digest('hex')}"\n    user: olivia\n    roles: [admin]\n` },
  });
  let browser: Browser;
  let page: Page;
  let trouble: Trouble;

  beforeAll(async () => {
    browser = await launch();
    expect((await http('PUT', `${service.url}/v1/namespaces/billing/entries/plans/pro`, { value: '20' }, { authorization: `Bearer ${TOKEN}` })).status).toBe(201);
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    // Refused on purpose: whoami without a token and with a wrong one; the calls answered 403 below.
    trouble = watch(page, [/\/v1\/whoami$/, /\/v1\/admin\/backup$/, /\/entries\/plans%2Fpro$/]);
  });

  afterAll(() => browser?.close());

  it('serves the page without a credential but shows only the token field until one is accepted', async () => {
    expect((await page.goto(`${service.url}/ui/`))?.status()).toBe(200);
    await page.locator('#whoami', { hasText: 'Authentication is on: paste a token to sign in.' }).waitFor(WAIT);
    expect(await page.locator('#app').isHidden()).toBe(true);
    expect(await page.locator('#whoami [data-code="UNAUTHORIZED"]').count()).toBe(1);
    // A wrong token: the problem document's detail is shown, nothing else.
    await page.fill('#token', `ops-key.${randomBytes(32).toString('base64url')}`);
    await page.press('#token', 'Enter');
    await page.locator('#whoami', { hasText: 'This token is not accepted' }).waitFor(WAIT);
    expect(await page.locator('#whoami .problem').textContent()).toContain('the API key is not valid');
    expect(await page.locator('#app').isHidden()).toBe(true);
    await shot(page, '10-auth-token-refused');
  });

  it('signs in with a token kept in sessionStorage and sends it as a bearer credential', async () => {
    await page.fill('#token', TOKEN);
    await page.click('text=Use token');
    await page.locator('#whoami', { hasText: 'Signed in as olivia (roles: admin).' }).waitFor(WAIT);
    expect(await page.inputValue('#token')).toBe('');
    expect(await page.evaluate('sessionStorage.getItem("hexastore.token")')).toBe(TOKEN);
    await page.click('button[data-namespace="billing"]');
    await page.locator('#entry-list button[data-key="plans/pro"]').waitFor(WAIT);
    await page.locator('#feed-state', { hasText: 'Feed: live' }).waitFor(WAIT);
    expect((await http('PUT', `${service.url}/v1/namespaces/billing/entries/plans/team`, { value: '50' }, { authorization: `Bearer ${TOKEN}` })).status).toBe(201);
    await page.locator('#feed-events li', { hasText: 'billing / plans/team' }).waitFor(WAIT);
    expect(await page.locator('#feed-events li', { hasText: 'plans/team' }).textContent()).toContain('by olivia');
    await shot(page, '11-auth-signed-in');
  });

  it('disables what the caller may not do and shows the problem document as text', async () => {
    // This service grants every authenticated caller everything; a service with access control
    // answers 403 FORBIDDEN, as played here for the backup and the put.
    const forbidden = (detail: string) => ({
      status: 403, contentType: 'application/problem+json',
      body: JSON.stringify({ type: 'urn:hexastore:problem:forbidden', title: 'forbidden', status: 403, code: 'FORBIDDEN', detail, requestId: XSS }),
    });
    await page.route('**/v1/admin/backup*', (route) => route.fulfill(forbidden('backup needs the admin role')));
    await page.route('**/v1/namespaces/billing/entries/plans%2Fpro', (route) =>
      route.request().method() === 'PUT' ? route.fulfill(forbidden(`write access to billing needed ${XSS}`)) : route.continue());
    await page.click('#backup-all');
    await page.locator('#backup-status [data-code="FORBIDDEN"]', { hasText: 'backup needs the admin role' }).waitFor(WAIT);
    expect(await page.textContent('#backup-all')).toBe('Download backup of all namespaces (not permitted)');
    expect(await page.locator('#backup-all').isDisabled()).toBe(true);
    await page.click('button[data-key="plans/pro"]');
    await page.locator('#edit-status', { hasText: 'Version 1' }).waitFor(WAIT);
    await page.fill('#edit-value', '25');
    await page.click('text=Save value');
    await page.locator('#edit-status .problem', { hasText: 'Not allowed (403 FORBIDDEN)' }).waitFor(WAIT);
    expect(await page.locator('#edit-status .problem p').first().textContent()).toBe(`write access to billing needed ${XSS}`);
    expect(await page.locator('#edit-status .problem dd').textContent()).toBe(XSS);
    const save = page.locator('#entry-editor form.editor button[type="submit"]');
    expect({ label: await save.textContent(), disabled: await save.isDisabled() }).toEqual({ label: 'Save value (not permitted)', disabled: true });
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    expect((await http('GET', `${service.url}/v1/namespaces/billing/entries/plans/pro`, undefined, { authorization: `Bearer ${TOKEN}` })).body.value).toBe('20');
    await shot(page, '12-auth-forbidden');
    await page.unrouteAll();
    // Signing in again (another credential may do more) enables them again.
    await page.fill('#token', TOKEN);
    await page.click('text=Use token');
    await page.locator('#whoami', { hasText: 'Signed in as olivia' }).waitFor(WAIT);
    await page.locator('#entry-editor form.editor button[type="submit"]:not([disabled])', { hasText: /^Save value$/ }).waitFor(WAIT);
    expect(await page.textContent('#backup-all')).toBe('Download backup of all namespaces');
  });

  it('forgets the token and hides everything again', async () => {
    await page.click('#forget-token');
    await page.locator('#whoami', { hasText: 'Authentication is on: paste a token to sign in.' }).waitFor(WAIT);
    expect(await page.locator('#app').isHidden()).toBe(true);
    expect(await page.evaluate('sessionStorage.getItem("hexastore.token")')).toBeNull();
    await page.locator('#feed-state', { hasText: 'Feed: stopped' }).waitFor({ state: 'attached', ...WAIT });
  });

  it('said nothing wrong in the console, threw nothing', () => {
    expect(trouble).toEqual({ consoleErrors: [], pageErrors: [], alerts: [] });
  });
});
