// Browser end-to-end tests of Larder's web interface: Chromium (through playwright-core) drives
// the pages as a person would — by their visible labels and button names — against a live
// server that .ci/web-e2e prepared (users, projects, events from the real Python SDK). Each
// scenario runs in order and prints PASS or FAIL with the reason; a console error or an
// uncaught exception on a page fails its scenario; any failure makes the exit status non-zero.
// Screenshots (and a picture of every failure) go to tests/web/output/ (or
// $LARDER_WEB_E2E_OUTPUT).
import { chromium } from 'playwright-core';
import { exec } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
const OUTPUT = process.env.LARDER_WEB_E2E_OUTPUT || join(here, 'output');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set (see tests/web/README.md)`);
    process.exit(2);
  }
  return value;
}

const BASE = required('LARDER_URL').replace(/\/$/, '');
const PROJECT_ID = required('LARDER_PROJECT_ID');
const PRIVATE_PROJECT_ID = required('LARDER_PRIVATE_PROJECT_ID');
const OWNER = { email: required('LARDER_OWNER_EMAIL'), password: required('LARDER_OWNER_PASSWORD') };
const MEMBER = { email: required('LARDER_MEMBER_EMAIL'), password: required('LARDER_MEMBER_PASSWORD') };
const SEND_EVENT = required('LARDER_SEND_EVENT');
const ONLY = process.env.LARDER_E2E_ONLY; // a comma-separated list of scenario names, for debugging

/** Titles of the issues the Python application in .ci/web-e2e reports. */
const ISSUES = {
  payment: 'PaymentDeclined: card declined for order 1234',
  average: 'ZeroDivisionError: division by zero',
  quantity: "ValueError: invalid literal for int() with base 10: 'three'",
  product: "KeyError: 'coffee'",
};
const STREAM = `/projects/${PROJECT_ID}/issues`;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const WAIT = 10_000; // how long a control or text may take to appear
const LIVE_WAIT = 20_000; // how long a live update may take after an event is sent

mkdirSync(OUTPUT, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' });

// ---- helpers -------------------------------------------------------------------------------

/**
 * The browser side of one scenario: contexts and pages it opens, with every console error and
 * uncaught exception collected.
 */
class Session {
  constructor(name) {
    this.name = name;
    this.contexts = [];
    this.pages = [];
    this.problems = [];
    this.notes = [];
  }

  /** A remark printed under the scenario's result. */
  note(text) {
    this.notes.push(text);
  }

  /** A page in a new browser context; pages the scenario opens beside it are watched too. */
  async page({ viewport = DESKTOP, bypassCSP = false, colorScheme = 'light' } = {}) {
    const context = await browser.newContext({ baseURL: BASE, viewport, bypassCSP, colorScheme });
    this.contexts.push(context);
    context.setDefaultTimeout(WAIT);
    context.on('page', (page) => this.watch(page));
    return context.newPage();
  }

  watch(page) {
    this.pages.push(page);
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      this.problems.push(`console error on ${page.url()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => this.problems.push(`uncaught exception on ${page.url()}: ${error.message}`));
  }

  /** A page signed in through the sign-in form. */
  async signedIn(who = OWNER, options) {
    const page = await this.page(options);
    await page.goto('/login');
    await signIn(page, who);
    await page.waitForURL((url) => url.pathname !== '/login');
    return page;
  }

  /** Errors the open pages show (role=alert), to tell a missing control from a failed page. */
  async alertsShown() {
    const shown = [];
    for (const page of this.pages) {
      if (page.isClosed()) continue;
      const alerts = await page.getByRole('alert').filter({ visible: true }).allInnerTexts().catch(() => []);
      shown.push(...alerts.map((text) => `${page.url()} shows: ${text.trim()}`));
    }
    return shown;
  }

  async close(failed) {
    if (failed) {
      for (const [index, page] of this.pages.entries()) {
        if (page.isClosed()) continue;
        await page.screenshot({ path: join(OUTPUT, `FAILED-${this.name}-${index + 1}.png`), fullPage: true }).catch(() => {});
      }
    }
    for (const context of this.contexts) await context.close().catch(() => {});
  }
}

/**
 * The control labelled `name`. A label may go on with help text or, for a select, the options
 * (both end up in its text, without a space), so the label has to start with `name`, not
 * followed by more of the same sentence ("Project" is not "Project settings").
 */
function labelled(page, name) {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return page.getByLabel(new RegExp(`^\\s*${escaped}(?!\\s*[a-z])`));
}

async function signIn(page, who) {
  await labelled(page, 'Email').fill(who.email);
  await labelled(page, 'Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Waits for a locator to be visible; fails naming what was looked for. */
async function see(locator, what, timeout = WAIT) {
  try {
    await locator.first().waitFor({ state: 'visible', timeout });
  } catch {
    throw new Error(`not found: ${what}`);
  }
  return locator.first();
}

/** Waits for a locator to be gone (hidden or detached); fails naming it. */
async function gone(locator, what, timeout = WAIT) {
  try {
    await locator.first().waitFor({ state: 'hidden', timeout });
  } catch {
    throw new Error(`still shown: ${what}`);
  }
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

/** Runs a GraphQL request with the page's session cookie (for checks and ids, never for steps). */
async function api(page, query, variables = {}) {
  const body = await page.evaluate(async ({ query, variables }) => {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return response.json();
  }, { query, variables });
  if (body.errors?.length) throw new Error(`GraphQL: ${body.errors[0].message}`);
  return body.data;
}

async function issueByTitle(page, title) {
  const data = await api(page, `query($p: ID!, $q: String) { project(id: $p) {
    issues(first: 50, filter: { query: $q }) { edges { node { id title status count } } } } }`,
  { p: PROJECT_ID, q: title });
  const found = data.project.issues.edges.map((e) => e.node).find((i) => i.title === title);
  check(found, `no issue titled ${JSON.stringify(title)} in the project (through the API)`);
  return found;
}

function sendEvent() {
  return new Promise((resolve, reject) => {
    exec(SEND_EVENT, { timeout: 60_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`sending an event failed: ${error.message}\n${stderr}`)) : resolve());
  });
}

/** The stream's link to an issue (by its exact title). */
function issueLink(page, title) {
  return page.getByRole('link', { name: title, exact: true });
}

/** Opens a section of the organization settings (a tab or link with its name, or a heading). */
async function openOrganizationSection(page, name) {
  await page.goto('/settings');
  const tab = page.getByRole('link', { name, exact: true }).or(page.getByRole('tab', { name, exact: true }));
  await see(tab.or(page.getByRole('heading', { name, exact: true })), `organization settings section "${name}" (link, tab or heading)`);
  if (await tab.count()) await tab.first().click();
  await see(page.getByRole('heading', { name, exact: true }), `heading "${name}"`);
  await settled(page);
}

/** axe-core's serious and critical violations on the page, one line each. */
async function axe(page, where) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ['violations'] });
    return violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
  });
  return result
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${where}: [${v.impact}] ${v.id} — ${v.help} (${v.targets.join('; ')})`);
}

/** Pages checked for accessibility and photographed: name → path, given a signed-in page. */
async function mainPages(page) {
  const payment = await issueByTitle(page, ISSUES.payment);
  return [
    ['stream', STREAM],
    ['issue', `/issues/${payment.id}`],
    ['project-settings', `/projects/${PROJECT_ID}/settings`],
    ['organization-settings', '/settings'],
  ];
}

/** Waits until the page has drawn its main content: no "Loading…" left, and no error shown. */
async function settled(page) {
  await see(page.locator('h1'), `a main heading (h1) on ${page.url()}`);
  await gone(page.getByRole('status').filter({ hasText: /Loading/ }), `"Loading…" on ${page.url()}`);
  const alerts = await page.getByRole('alert').filter({ visible: true }).allInnerTexts();
  check(alerts.length === 0, `${page.url()} shows an error: ${alerts.join(' / ')}`);
}

// ---- scenarios -----------------------------------------------------------------------------

async function signInAndComeBack(session) {
  const page = await session.page();
  await page.goto(STREAM);
  await page.waitForURL((url) => url.pathname === '/login', { timeout: WAIT });
  const next = new URL(page.url()).searchParams.get('next');
  check(next === STREAM, `the sign-in page should carry next=${STREAM}, got ${JSON.stringify(next)}`);

  await signIn(page, { email: OWNER.email, password: 'not the password' });
  await see(page.getByRole('alert'), 'an error (role=alert) after a wrong password');
  check(new URL(page.url()).pathname === '/login', 'a wrong password must stay on the sign-in page');

  await signIn(page, OWNER);
  await page.waitForURL((url) => url.pathname === STREAM, { timeout: WAIT });
  await see(page.getByRole('heading', { level: 1 }), 'the stream after signing in');
}

async function searchIssues(session) {
  const page = await session.signedIn();
  await page.goto(STREAM);
  await see(issueLink(page, ISSUES.average), `link "${ISSUES.average}" in the stream`);
  await search(page, 'PaymentDeclined');
  await see(issueLink(page, ISSUES.payment), `link "${ISSUES.payment}" after searching`);
  await gone(issueLink(page, ISSUES.average), `"${ISSUES.average}" should not match the search`);

  await search(page, '(level:error');
  const alert = await see(page.getByRole('alert'), 'an error (role=alert) for a search that does not parse');
  check((await alert.innerText()).trim().length > 0, 'the search error says what is wrong');
}

/** Searches the stream through its search box. */
async function search(page, text) {
  const box = await see(labelled(page, 'Search issues'), 'input labelled "Search issues"');
  await box.fill(text);
  await box.press('Enter');
}

async function openIssue(session) {
  const page = await session.signedIn();
  await page.goto(STREAM);
  await search(page, 'PaymentDeclined');
  await (await see(issueLink(page, ISSUES.payment), `link "${ISSUES.payment}"`)).click();
  await page.waitForURL(/\/issues\/[^/]+$/);
  await see(page.getByRole('heading', { level: 1, name: ISSUES.payment, exact: true }), `h1 "${ISSUES.payment}"`)
    .catch(async (error) => {
      const shown = await page.locator('h1').allInnerTexts();
      throw new Error(`${error.message} (h1 on the page: ${JSON.stringify(shown)})`);
    });
  await see(page.getByText('PaymentDeclined', { exact: true }), 'the exception type "PaymentDeclined" on its own');
  await see(page.getByText('charge_card', { exact: true }), 'the in-app frame\'s function "charge_card" on its own');
  await see(page.getByText(/shop\.py/), 'the in-app frame\'s file "shop.py"');
  await see(page.getByText('raise PaymentDeclined(f"card declined for order {order_id}")'),
    'the frame\'s context line `raise PaymentDeclined(...)`');
}

/**
 * Resolve on the issue page, then a new event of the same error: the issue page or the stream
 * (showing all statuses, opened beside it) must show it unresolved again without a reload.
 */
async function resolveAndRegress(session) {
  const page = await session.signedIn();
  const issue = await issueByTitle(page, ISSUES.payment);
  if (issue.status !== 'UNRESOLVED') {
    await api(page, 'mutation($id: ID!) { updateIssue(id: $id, status: UNRESOLVED) { id } }', { id: issue.id });
  }
  await page.goto(`/issues/${issue.id}`);
  await (await see(page.getByRole('button', { name: 'Resolve', exact: true }), 'button "Resolve"')).click();
  await see(page.getByText(/^\s*Resolved\s*$/), 'the status "Resolved" on the issue page after resolving');
  check((await issueByTitle(page, ISSUES.payment)).status === 'RESOLVED', 'the issue is resolved (through the API)');

  const stream = await page.context().newPage();
  await stream.goto(`${STREAM}?status=all`);
  const row = stream.locator('tr, li').filter({ has: issueLink(stream, ISSUES.payment) });
  await see(row.getByText('Resolved', { exact: true }), 'the stream (all statuses) showing the issue as "Resolved"');

  // A marker on each window would vanish with a reload: the pages must update by themselves.
  for (const p of [page, stream]) await p.evaluate(() => { window.e2eSamePage = true; });
  await sendEvent();
  const [onIssuePage, onStream] = await Promise.all([
    page.getByText(/^\s*Unresolved\s*$/).first().waitFor({ timeout: LIVE_WAIT }).then(() => true, () => false),
    row.getByText('Resolved', { exact: true }).first().waitFor({ state: 'hidden', timeout: LIVE_WAIT }).then(() => true, () => false),
  ]);
  check((await issueByTitle(page, ISSUES.payment)).status === 'UNRESOLVED', 'the issue regressed (through the API)');
  check(onIssuePage || onStream, `neither the issue page nor the stream showed the regression within ${LIVE_WAIT / 1000} s`);
  for (const p of [page, stream]) {
    check(await p.evaluate(() => window.e2eSamePage === true), `${p.url()} was reloaded instead of updating live`);
  }
  if (onStream) await see(issueLink(stream, ISSUES.payment), 'the regressed issue still listed in the stream');
  if (onIssuePage) await see(page.getByRole('button', { name: 'Resolve', exact: true }), 'button "Resolve" again on the issue page');
  session.note(`live regression shown on: ${[onIssuePage && 'the issue page', onStream && 'the stream'].filter(Boolean).join(' and ')}`
    + `${onIssuePage ? '' : ' (the issue page kept "Resolved" until reloaded)'}`);
}

async function mergeIssues(session) {
  const page = await session.signedIn();
  page.on('dialog', (dialog) => dialog.accept());
  const before = await Promise.all([issueByTitle(page, ISSUES.quantity), issueByTitle(page, ISSUES.product)]);
  await page.goto(STREAM);
  for (const title of [ISSUES.quantity, ISSUES.product]) {
    await (await see(page.getByRole('checkbox', { name: `Select ${title}`, exact: true }), `checkbox "Select ${title}"`)).check();
  }
  await (await see(page.getByRole('button', { name: 'Merge selected', exact: true }), 'button "Merge selected"')).click();
  // One of the two stays (holding both events); the other leaves the list.
  await page.waitForFunction(([a, b]) => {
    const titles = [...document.querySelectorAll('a')].map((link) => link.textContent.trim());
    return titles.includes(a) !== titles.includes(b);
  }, [ISSUES.quantity, ISSUES.product], { timeout: WAIT }).catch(() => {
    throw new Error('after "Merge selected", exactly one of the two issues should remain in the list');
  });
  const data = await api(page, `query($a: ID!, $b: ID!) { a: issue(id: $a) { status count } b: issue(id: $b) { status count } }`,
    { a: before[0].id, b: before[1].id });
  const statuses = [data.a.status, data.b.status].sort();
  check(statuses.includes('MERGED'), `one issue should be MERGED, got ${statuses.join(', ')}`);
  const kept = data.a.status === 'MERGED' ? data.b : data.a;
  check(kept.count === before[0].count + before[1].count, `the kept issue holds both events (count ${kept.count})`);
}

async function alertRuleWithWebhook(session) {
  const page = await session.signedIn();
  await openOrganizationSection(page, 'Integrations');
  await (await see(labelled(page, 'Integration name'), 'input "Integration name"')).fill('Ops webhook');
  const kind = await see(labelled(page, 'Kind'), 'control "Kind"');
  if (await kind.evaluate((element) => element.tagName === 'SELECT')) {
    await kind.selectOption({ value: 'webhook' }).catch(() => kind.selectOption({ label: 'Webhook' }));
  } else {
    await (await see(page.getByRole('radio', { name: 'Webhook' }), 'radio "Webhook" of "Kind"')).check();
  }
  await (await see(labelled(page, 'Webhook URL'), 'input "Webhook URL"')).fill('http://127.0.0.1:9/larder-hook');
  // The form may ask for a signing secret too (the webhook's HMAC key).
  const secret = labelled(page, 'Signing secret');
  if (await secret.count()) await secret.fill('e2e-signing-secret');
  await page.getByRole('button', { name: 'Create integration', exact: true }).click();
  await see(page.getByText('Ops webhook', { exact: true }), 'the integration "Ops webhook" listed');

  await page.goto(`/projects/${PROJECT_ID}/settings`);
  await (await see(page.getByRole('button', { name: 'New alert rule', exact: true })
    .or(page.getByRole('link', { name: 'New alert rule', exact: true })), '"New alert rule"')).click();
  await (await see(labelled(page, 'Rule name'), 'input "Rule name"')).fill('Payment failures');
  await (await see(page.getByRole('checkbox', { name: 'Ops webhook' }), 'integration checkbox "Ops webhook"')).check();
  await page.getByRole('button', { name: 'Save rule', exact: true }).click();
  await see(page.getByText('Payment failures', { exact: true }), 'the rule "Payment failures" listed');
  await page.reload();
  await see(page.getByText('Payment failures', { exact: true }), 'the rule "Payment failures" listed after a reload');
}

async function apiTokenShownOnce(session) {
  const page = await session.signedIn();
  await openOrganizationSection(page, 'API tokens');
  await (await see(labelled(page, 'Token name'), 'input "Token name"')).fill('Deploy bot');
  await (await see(page.getByRole('checkbox', { name: 'event:read' }), 'scope checkbox "event:read"')).check();
  await page.getByRole('button', { name: 'Create token', exact: true }).click();
  const shown = await see(page.locator('[aria-label="New API token"]'), 'the new token (aria-label="New API token")');
  const token = (await shown.evaluate((element) => element.value ?? element.textContent)).trim();
  check(token.length >= 20, `the new token should be shown in full, got ${JSON.stringify(token)}`);
  const answer = await page.request.post('/graphql', {
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    data: { query: '{ viewer { scopes } }' },
  });
  const scopes = (await answer.json()).data?.viewer?.scopes;
  check(Array.isArray(scopes) && scopes.includes('event:read'), `the shown token works with scope event:read (got ${JSON.stringify(scopes)})`);
  await see(page.getByText('Deploy bot', { exact: true }), 'the token "Deploy bot" listed');
  await page.reload();
  await see(page.getByText('Deploy bot', { exact: true }), 'the token "Deploy bot" listed after a reload');
  check(await page.locator('[aria-label="New API token"]').count() === 0, 'the token value is still shown after a reload');
  check(!(await page.content()).includes(token), 'the token secret is still in the page after a reload');
}

async function memberDoesNotSeeOtherTeamsProject(session) {
  const page = await session.signedIn(MEMBER);
  const switcher = await see(labelled(page, 'Project'), 'the project switcher (label "Project")');
  const options = await switcher.locator('option').allInnerTexts();
  check(options.includes('Shop API'), `the member sees "Shop API" in the switcher (options: ${options.join(', ')})`);
  check(!options.includes('Billing'), `the member must not see "Billing" in the switcher (options: ${options.join(', ')})`);
  await page.goto(`/projects/${PRIVATE_PROJECT_ID}/issues`);
  await see(page.getByText(/not found|does not exist/i), 'a "not found" message on /projects/<Billing>/issues');
  check(!(await page.content()).includes('Billing'), 'the page names the hidden project');
}

/** axe-core on every page, in the light and the dark colour scheme (contrast differs). */
async function accessibility(session) {
  const problems = [];
  for (const colorScheme of ['light', 'dark']) {
    // axe is injected as a script, which the pages' Content-Security-Policy would refuse.
    const page = await session.page({ bypassCSP: true, colorScheme });
    await page.goto('/login');
    await settled(page);
    problems.push(...await axe(page, `sign-in (${colorScheme})`));
    await signIn(page, OWNER);
    await page.waitForURL((url) => url.pathname !== '/login');
    for (const [name, path] of await mainPages(page)) {
      await page.goto(path);
      await settled(page);
      problems.push(...await axe(page, `${name} (${colorScheme})`));
    }
    for (const section of ['Integrations', 'API tokens']) {
      await openOrganizationSection(page, section);
      problems.push(...await axe(page, `organization settings / ${section} (${colorScheme})`));
    }
  }
  check(problems.length === 0, `serious or critical accessibility violations:\n    ${problems.join('\n    ')}`);
}

async function screenshots(session) {
  const problems = [];
  for (const [width, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const page = await session.signedIn(OWNER, { viewport });
    for (const [name, path] of await mainPages(page)) {
      await page.goto(path);
      await settled(page);
      await page.screenshot({ path: join(OUTPUT, `${name}-${width}.png`), fullPage: true });
      const { overflow, culprits } = await page.evaluate(() => {
        // The innermost elements reaching past the right edge: what makes the page scroll sideways.
        const past = (element) => {
          const box = element.getBoundingClientRect();
          return box.right > window.innerWidth + 1 && box.width > 1; // not a visually hidden label
        };
        const culprits = [...document.body.querySelectorAll('*')]
          .filter((element) => past(element) && ![...element.children].some(past))
          .slice(0, 3)
          .map((element) => element.tagName.toLowerCase() + [...element.classList].map((c) => `.${c}`).join(''));
        return { overflow: document.documentElement.scrollWidth - window.innerWidth, culprits };
      });
      if (overflow > 1) {
        problems.push(`${name} at ${viewport.width}px is ${overflow}px wider than the screen (${culprits.join(', ')})`);
      }
    }
  }
  check(problems.length === 0, problems.join('; '));
}

const SCENARIOS = [
  signInAndComeBack,
  searchIssues,
  openIssue,
  resolveAndRegress,
  mergeIssues,
  alertRuleWithWebhook,
  apiTokenShownOnce,
  memberDoesNotSeeOtherTeamsProject,
  accessibility,
  screenshots,
];

// ---- runner --------------------------------------------------------------------------------

const results = [];
for (const scenario of SCENARIOS) {
  if (ONLY && !ONLY.split(',').includes(scenario.name)) continue;
  const session = new Session(scenario.name);
  const started = Date.now();
  let error = null;
  try {
    await Promise.race([
      scenario(session),
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 90 s')), 90_000).unref()),
    ]);
    if (session.problems.length) error = new Error(session.problems.join('\n    '));
  } catch (failure) {
    error = failure;
    const context = [...session.problems, ...await session.alertsShown()];
    if (context.length) error.message += `\n    ${context.join('\n    ')}`;
  }
  await session.close(!!error);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  results.push({ name: scenario.name, error });
  console.log(`${error ? 'FAIL' : 'PASS'} ${scenario.name} (${seconds} s)`);
  for (const line of [...(error ? [error.message] : []), ...session.notes]) console.log(`    ${line}`);
}
await browser.close();

const failed = results.filter((r) => r.error);
console.log(`\n${results.length - failed.length} passed, ${failed.length} failed${failed.length ? ': ' + failed.map((r) => r.name).join(', ') : ''}`);
console.log(`screenshots: ${OUTPUT}`);
process.exit(failed.length ? 1 : 0);
