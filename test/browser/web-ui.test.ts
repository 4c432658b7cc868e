/**
 * The web UI in a real browser (headless Chromium) on the two-region network: a soar3 analyst
 * signs in at the US node and reads the incident soar2 (EU) shared with soar3, whitelisted;
 * hostile text renders as text; a non-shared incident is a 404; wrong password, expired and
 * tampered sessions, CSRF and throttling are refused cleanly; a peer that is down is shown as
 * such. Screenshots of every page, wide and narrow: test-output/screenshots/.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, screenshots, SCREENSHOT_DIR, type Browser } from '../support/browser.js';
import { NetworkWorld } from '../support/network-world.js';

const TABLE = 'clearing_distribution';
const GROUP = 'clearing_analysts';
const ANALYST = { email: 'sam.analyst@soar3.example', password: 'S3cret-analyst!', fname: 'Sam', lname: 'Analyst', groups: [GROUP] };
const OUTSIDER = { email: 'olga.outsider@soar3.example', password: 'Outsider-pass1', fname: 'Olga', lname: 'Outsider', groups: ['helpdesk'] };
const SECRET_VALUE = 'TOPSECRET-7f3a9c';
const SECRET_REPORTER = 'Reporter-Confidential-4711';
const XSS = `Phishing wave <script>window.__xss = 1; alert('xss')</script> then <img src=x onerror="window.__xss = 2; alert('img')"> end`;
const IDLE_MINUTES = 30;

describe('web UI in a browser', () => {
  let world: NetworkWorld;
  let browser: Browser;
  let page: Page;
  let base: string;
  let skew = 0;
  let shared: number;
  let notShared: number;
  const dialogs: string[] = [];
  const timings: Record<string, number> = {};

  /** A new EU incident; answers its id and the id of its soar3 distribution row. */
  async function euIncident(name: string, description: string): Promise<{ id: number; rowId: number }> {
    const soar = world.region('eu').soar;
    const incident = await soar.createIncident({ name, discovered_date: Date.now(), description, reporter: SECRET_REPORTER, properties: { secret_codeword: SECRET_VALUE } });
    await world.settle();
    const row = (await soar.getTableData(incident.id, TABLE)).rows.find((r) => r.cells['brand']?.value === 'soar3');
    assert.ok(row, 'the involve rule added the soar3 row');
    return { id: incident.id, rowId: row.id };
  }

  /** Goes to `path`, answers the HTTP status, records the time the page took. */
  async function visit(path: string, label?: string): Promise<number> {
    const t0 = performance.now();
    const response = await page.goto(`${base}${path}`);
    if (label) timings[label] = Math.round(performance.now() - t0);
    return response?.status() ?? 0;
  }

  async function signIn(email: string, password: string): Promise<number> {
    await visit('/ui/login');
    await page.getByLabel('Brand').selectOption('soar3');
    await page.getByLabel('SOAR email').fill(email);
    await page.getByLabel('SOAR password').fill(password);
    const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
    return response?.status() ?? 0;
  }

  async function signOut(): Promise<void> {
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign out' }).click()]);
  }

  before(async () => {
    world = await NetworkWorld.start({ web: { allowedGroups: [GROUP], idleTimeoutMinutes: IDLE_MINUTES, loginMaxFailures: 3, clock: () => Date.now() + skew } });
    const us = world.region('us');
    us.emulator.state.addUser(ANALYST);
    us.emulator.state.addUser(OUTSIDER);
    base = `https://127.0.0.1:${us.node.webPort}`;
    const eu = world.region('eu');
    eu.emulator.state.addIncidentField('secret_codeword');
    const a = await euIncident('Credential stuffing on EU portal', XSS);
    await eu.soar.addNote(a.id, '<p>Blocked the source range <b>at the edge</b>.</p>');
    await eu.soar.addArtifact(a.id, { type: 'IP Address', value: '203.0.113.7' });
    await eu.soar.addArtifact(a.id, { type: 'DNS Name', value: XSS });
    await eu.soar.updateTableRow(a.id, TABLE, a.rowId, { read_only: true });
    await world.settle();
    shared = a.id;
    notShared = (await euIncident('Internal audit, never shared', 'not for soar3')).id;
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
  });

  after(async () => {
    writeFileSync(join(SCREENSHOT_DIR, 'timings.json'), `${JSON.stringify(timings, null, 2)}\n`);
    await browser?.close();
    await world?.stop();
  });

  test('the sign-in page: labelled fields, strict CSP, no script', async () => {
    const response = await page.goto(`${base}/ui/shared`);
    assert.match(page.url(), /\/ui\/login\?next=/);
    assert.equal(response?.status(), 200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /script-src/);
    assert.equal(await page.locator('script').count(), 0);
    assert.ok(await page.getByLabel('SOAR email').isVisible());
    await screenshots(page, '01-login');
  });

  test('a wrong password is refused with a clear message', async () => {
    const status = await signIn(ANALYST.email, 'wrong-password');
    assert.equal(status, 401);
    assert.ok(await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).isVisible());
    assert.doesNotMatch(await page.content(), /wrong-password|at .*\.js:\d+/);
    await screenshots(page, '02-login-wrong-password');
  });

  test('a SOAR user outside the allowed groups may not enter', async () => {
    assert.equal(await signIn(OUTSIDER.email, OUTSIDER.password), 403);
    assert.ok(await page.getByText('not in a group or role allowed').isVisible());
  });

  test('too many failures for one user: throttled (429), even with the right password', async () => {
    const victim = { email: 'throttled@soar3.example', password: 'Right-pass-1', groups: [GROUP] };
    world.region('us').emulator.state.addUser(victim);
    for (let i = 0; i < 3; i++) assert.equal(await signIn(victim.email, `bad-${i}`), 401);
    assert.equal(await signIn(victim.email, victim.password), 429);
    assert.ok(await page.getByText('Too many sign-in attempts').isVisible());
  });

  test('a soar3 analyst signs in and sees the incident soar2 shared', async () => {
    assert.equal(await signIn(ANALYST.email, ANALYST.password), 200);
    assert.match(page.url(), /\/ui\/shared$/);
    assert.equal(await visit('/ui/shared', 'shared list'), 200);
    const row = page.getByRole('row').filter({ hasText: 'Credential stuffing on EU portal' });
    assert.ok(await row.isVisible());
    assert.ok(await row.getByText('soar2').isVisible());
    assert.equal(await page.getByText('Internal audit, never shared').count(), 0);
    const cookies = await browser.context.cookies(base);
    const session = cookies.find((c) => c.name === '__Host-sc_session');
    assert.ok(session && session.httpOnly && session.secure && session.sameSite === 'Strict', JSON.stringify(session));
    await screenshots(page, '03-shared-list');
  });

  test('filter and sort', async () => {
    assert.equal(await visit('/ui/shared?q=credential&sort=name&origin=soar2', 'shared list, filtered'), 200);
    assert.ok(await page.getByRole('link', { name: 'Credential stuffing on EU portal' }).isVisible());
    await visit('/ui/shared?q=nothing-matches-this');
    assert.ok(await page.getByText('0 incidents').isVisible());
  });

  test('the shared incident: banner, whitelisted fields, hostile text shown as text, no script ran', async () => {
    await visit('/ui/shared');
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Credential stuffing on EU portal' }).click()]);
    assert.equal(await visit(`/ui/shared/soar2/${shared}`, 'shared incident'), 200);
    assert.ok(await page.getByRole('note', { name: 'Origin and classification' }).filter({ hasText: 'Shared by brand soar2' }).isVisible());
    assert.ok(await page.getByText('whitelist-filtered').first().isVisible());
    // In a plain-text value (an artifact's) the payload shows as text; the description is HTML
    // in SOAR, shown as its text like notes: the tags are gone, never applied.
    assert.ok(await page.getByRole('cell').getByText("<script>window.__xss = 1; alert('xss')</script>", { exact: false }).isVisible(), 'the payload is visible as text');
    assert.ok(await page.getByRole('cell').getByText('<img src=x onerror=', { exact: false }).isVisible());
    assert.ok(await page.getByText("Phishing wave window.__xss = 1; alert('xss') then", { exact: false }).isVisible());
    assert.equal(await page.evaluate('window.__xss ?? null'), null, 'no injected script ran');
    assert.deepEqual(dialogs, []);
    assert.equal(await page.locator('main img, main script').count(), 0);
    assert.ok(await page.getByText('Blocked the source range at the edge.').isVisible());
    assert.ok(await page.getByText('203.0.113.7').isVisible());
    const text = await page.content();
    for (const secret of [SECRET_VALUE, SECRET_REPORTER, 'secret_codeword', 'clearing_shared_with']) assert.ok(!text.includes(secret), `${secret} must not show`);
    await screenshots(page, '04-shared-incident');
  });

  test('JSON twins of the list and the detail, same session', async () => {
    const list = await page.request.get(`${base}/ui/api/shared`);
    assert.equal(list.status(), 200);
    const body = (await list.json()) as { items: Array<{ owner_brand: string; incident_id: number; name: string }>; sources: Array<{ node: string; ok: boolean }> };
    assert.deepEqual(body.items.map((i) => [i.owner_brand, i.incident_id, i.name]), [['soar2', shared, 'Credential stuffing on EU portal']]);
    assert.deepEqual(body.sources.map((s) => [s.node, s.ok]), [['eu', true]]);
    const detail = await page.request.get(`${base}/ui/shared/soar2/${shared}`, { headers: { Accept: 'application/json' } });
    assert.equal(detail.status(), 200);
    const d = (await detail.json()) as { incident: Record<string, unknown>; notes: unknown[] };
    assert.equal(d.incident['description'], XSS);
    assert.ok(!JSON.stringify(d).includes(SECRET_VALUE));
    const anonymous = await fetchJson(`${base}/ui/api/shared`);
    assert.equal(anonymous, 401);
  });

  test('a non-shared incident, a missing one, another brand: 404, not 403', async () => {
    for (const path of [`/ui/shared/soar2/${notShared}`, '/ui/shared/soar2/987654', `/ui/shared/soar9/${shared}`, `/ui/shared/soar3/${shared}`, '/ui/shared/soar2/abc']) {
      assert.equal(await visit(path), 404, path);
      assert.ok(await page.getByRole('heading', { name: 'Not found' }).isVisible(), path);
    }
    assert.equal((await page.request.get(`${base}/ui/api/shared/soar2/${notShared}`)).status(), 404);
    await screenshots(page, '05-not-found');
  });

  test('sent by my brand and the network page', async () => {
    const us = world.region('us');
    await us.soar.createIncident({ name: 'US ransomware note', discovered_date: Date.now() });
    await world.settle();
    assert.equal(await visit('/ui/sent', 'sent'), 200);
    assert.ok(await page.getByRole('row').filter({ hasText: 'US ransomware note' }).first().isVisible());
    await screenshots(page, '06-sent');
    assert.equal(await visit('/ui/network', 'network'), 200);
    const peer = page.getByRole('row').filter({ hasText: 'soar2' });
    assert.ok(await peer.getByText('reachable').isVisible());
    // Where the peers listen is the admins' business (the config), not every analyst's.
    const peerUrl = `127.0.0.1:${world.region('eu').peerPort}`;
    assert.ok(!(await page.content()).includes(peerUrl));
    assert.ok(!(await (await page.request.get(`${base}/ui/api/network`)).text()).includes(peerUrl));
    await screenshots(page, '07-network');
  });

  test('CSRF: a POST from another origin or without the token is refused', async () => {
    const token = await page.locator('form[action="/ui/logout"] input[name="_csrf"]').getAttribute('value');
    assert.ok(token);
    const evil = await page.request.post(`${base}/ui/logout`, { form: { _csrf: token }, headers: { Origin: 'https://evil.example' } });
    assert.equal(evil.status(), 403);
    const noToken = await page.request.post(`${base}/ui/logout`, { form: { _csrf: 'forged' }, headers: { Origin: base } });
    assert.equal(noToken.status(), 403);
    // A request that names another host in Host and Origin alike does not pass for this UI.
    const cookie = (await browser.context.cookies(base)).find((c) => c.name === '__Host-sc_session');
    const hostForged = await rawPost(`${base}/ui/logout`, `_csrf=${encodeURIComponent(token)}`, {
      Host: 'evil.example',
      Origin: 'https://evil.example',
      Cookie: `__Host-sc_session=${cookie?.value ?? ''}`,
    });
    assert.equal(hostForged.status, 403, hostForged.body);
    const loginForged = await page.request.post(`${base}/ui/login`, { form: { brand: 'soar3', email: ANALYST.email, password: ANALYST.password, _csrf: 'x' }, headers: { Origin: base } });
    assert.equal(loginForged.status(), 403);
    assert.doesNotMatch(await loginForged.text(), /at .*\.js:\d+/);
    assert.equal(await visit('/ui/shared'), 200, 'still signed in');
  });

  test('a sign-in form over 16 KiB gets 413, not a reset; an aborted form logs no stack trace', async () => {
    const big = await rawPost(`${base}/ui/login`, `brand=soar3&email=a%40b.c&password=${'x'.repeat(40_000)}`, { Origin: base });
    assert.equal(big.status, 413);
    assert.match(big.body, /larger than 16 KiB/);
    const lines = world.region('us').lines;
    const before = lines.length;
    for (let i = 0; i < 5; i++) await abortedPost(`${base}/ui/login`);
    await new Promise((r) => setTimeout(r, 300));
    const added = lines.slice(before);
    assert.ok(!added.some((l) => /ERROR|\n\s+at /.test(l)), added.join('\n'));
    assert.equal(await visit('/ui/login'), 200, 'the UI still answers');
  });

  test('rendering: bidi controls shown, long names clipped with the whole one click away, HTML as text, SOAR labels, a favicon', async () => {
    const eu = world.region('eu');
    const share = async (fields: Record<string, unknown>): Promise<number> => {
      const incident = await eu.soar.createIncident({ discovered_date: Date.now(), ...fields } as Parameters<typeof eu.soar.createIncident>[0]);
      await world.settle();
      const row = (await eu.soar.getTableData(incident.id, TABLE)).rows.find((r) => r.cells['brand']?.value === 'soar3');
      assert.ok(row);
      await eu.soar.updateTableRow(incident.id, TABLE, row.id, { read_only: true });
      await world.settle();
      return incident.id;
    };
    const longName = `Exfiltration ${'x'.repeat(30)} ${'lorem-ipsum-'.repeat(5_400)} END-OF-NAME`;
    const bidi = await share({ name: '\u202Egpj.exe invoice', severity_code: 52 });
    const long = await share({ name: longName, severity_code: 52 });
    const rich = await share({ name: 'Payroll fraud', description: '<p>Quarterly <b>payroll</b> fraud &amp; more</p>', severity_code: 51 });
    const notFound: string[] = [];
    page.on('response', (r) => {
      if (r.status() === 404) notFound.push(r.url());
    });

    assert.equal(await visit('/ui/shared'), 200);
    assert.ok(!(await page.content()).includes('\u202E'), 'no raw bidi control in the page');
    assert.ok(await page.getByRole('link', { name: '[U+202E]gpj.exe invoice' }).isVisible());
    const longRow = page.getByRole('row').filter({ hasText: 'Exfiltration' });
    const box = await longRow.boundingBox();
    assert.ok(box && box.height < 120, `the long name's row is ${box?.height} px tall`);
    assert.ok(await longRow.getByText('High').isVisible(), 'severity by its label');
    assert.ok(await longRow.getByText('Active').isVisible(), 'plan_status by its label');
    // No column is squeezed into breaking words: every header and short cell holds one line.
    const tallest = await page.evaluate<number>("Math.max(...[...document.querySelectorAll('th, td:not(.long)')].map((e) => e.getBoundingClientRect().height))");
    assert.ok(tallest < 60, `the tallest header or short cell is ${tallest} px`);
    await screenshots(page, '10-rendering-list');

    assert.equal(await visit(`/ui/shared/soar2/${long}`), 200);
    const height = await page.evaluate<number>('document.documentElement.scrollHeight');
    assert.ok(height < 3000, `the page of a 64 KiB name is ${height} px tall`);
    assert.ok(!(await page.getByText('END-OF-NAME').isVisible()), 'the whole name waits behind a click');
    await page.locator('details.clip summary').first().click();
    assert.ok(await page.getByText('END-OF-NAME', { exact: false }).isVisible(), 'one click shows the whole name');
    await screenshots(page, '11-rendering-long-name');

    assert.equal(await visit(`/ui/shared/soar2/${rich}`), 200);
    const main = await page.locator('main').innerText();
    assert.match(main, /Quarterly payroll fraud & more/);
    assert.doesNotMatch(main, /<p>|<b>|&amp;/);
    assert.match(main, /Severity\s+Medium/);
    assert.match(main, /Plan status\s+Active/);
    await screenshots(page, '12-rendering-html-description');

    assert.equal(await visit(`/ui/shared/soar2/${bidi}`), 200);
    assert.ok(await page.getByRole('heading', { name: '[U+202E]gpj.exe invoice' }).isVisible());
    assert.deepEqual(notFound, [], 'no request of a page answered 404 (favicon included)');
    const icon = await page.request.get(`${base}/favicon.ico`);
    assert.deepEqual([icon.status(), icon.headers()['content-type']], [200, 'image/svg+xml']);
  });

  test('a tampered session cookie is refused: back to sign-in, told why', async () => {
    const [cookie] = (await browser.context.cookies(base)).filter((c) => c.name === '__Host-sc_session');
    assert.ok(cookie);
    const tampered = `${cookie.value.slice(0, -2)}${cookie.value.endsWith('AA') ? 'BB' : 'AA'}`;
    await browser.context.addCookies([{ ...cookie, value: tampered }]);
    await visit('/ui/shared');
    assert.match(page.url(), /\/ui\/login/);
    assert.ok(await page.getByText('Your session was not valid').isVisible());
    assert.equal((await page.request.get(`${base}/ui/api/shared`)).status(), 401);
  });

  test('an idle session expires', async () => {
    assert.equal(await signIn(ANALYST.email, ANALYST.password), 200);
    skew += (IDLE_MINUTES + 1) * 60_000;
    await visit('/ui/network');
    assert.match(page.url(), /\/ui\/login/);
    assert.ok(await page.getByText('Your session expired').isVisible());
    await screenshots(page, '08-session-expired');
  });

  test('sign out ends the session', async () => {
    assert.equal(await signIn(ANALYST.email, ANALYST.password), 200);
    await signOut();
    assert.ok(await page.getByText('You are signed out').isVisible());
    await visit('/ui/shared');
    assert.match(page.url(), /\/ui\/login/);
  });

  test('a peer that is down shows as such; the page still renders', async () => {
    assert.equal(await signIn(ANALYST.email, ANALYST.password), 200);
    await world.stopNode('eu');
    try {
      assert.equal(await visit('/ui/shared', 'shared list, peer down'), 200);
      assert.ok(await page.getByRole('alert').filter({ hasText: 'Peer node eu is down or unreachable' }).isVisible());
      await screenshots(page, '09-peer-down');
      assert.equal(await visit(`/ui/shared/soar2/${shared}`), 502);
      assert.ok(await page.getByText('could not answer').isVisible());
      assert.equal(await visit('/ui/network'), 200);
      assert.ok(await page.getByRole('row').filter({ hasText: 'soar2' }).getByText('down').isVisible());
    } finally {
      await world.startNode('eu');
    }
  });
});

/** Status of a GET without any cookie (another client). */
async function fetchJson(url: string): Promise<number> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, headers: { Accept: 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A form POST over plain node https with the given headers: status and body. */
async function rawPost(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', rejectUnauthorized: false, headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A form POST that announces 10,000 bytes, sends 100 and goes away. */
async function abortedPost(url: string): Promise<void> {
  const { request } = await import('node:https');
  await new Promise<void>((resolve) => {
    const req = request(url, { method: 'POST', rejectUnauthorized: false, headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': 10_000 } });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.write('brand=soar3&email='.padEnd(100, 'a'), () => setTimeout(() => req.destroy(), 50));
  });
}
