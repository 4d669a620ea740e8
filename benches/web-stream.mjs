// How fast the issue stream is for a person: a real Chromium opens a project's stream on a
// running server (signed in), and this measures, per run, the milliseconds from navigation
// start until the table shows its rows and the next frame is drawn, and the bytes transferred
// (compressed) for the whole page. Three ways of arriving, each RUNS times:
//   - `first visit`: a new browser profile (nothing cached, nothing compiled);
//   - `return visit`: the same profile again (the build-addressed assets come from the cache);
//   - `stream after stream`: the next stream page opened inside the application (no reload).
// Prints one JSON line per run and the median of each.
//
//   node benches/web-stream.mjs URL EMAIL PASSWORD PROJECT_ID [RUNS]
//
// Needs tests/web's node_modules (`npm ci` there) and Debian's chromium. BENCHMARKS.md says how
// the server and its 10,000 issues are made (`larder seed`).
import { chromium } from '../tests/web/node_modules/playwright-core/index.mjs';

const [base, email, password, projectId, runs = '7'] = process.argv.slice(2);
if (!projectId) {
  console.error('usage: node benches/web-stream.mjs URL EMAIL PASSWORD PROJECT_ID [RUNS]');
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium' });
const signIn = await browser.newContext();
const login = await signIn.newPage();
await login.goto(`${base}/login`);
await login.getByLabel('Email').fill(email);
await login.getByLabel('Password').fill(password);
await login.getByRole('button', { name: 'Sign in' }).click();
await login.waitForURL((url) => !url.pathname.startsWith('/login'));
const signedIn = await signIn.storageState();
await signIn.close();

/** Milliseconds from navigation start to rows drawn, and bytes transferred. */
async function measure(page) {
  await page.locator('table tbody tr').first().waitFor();
  return page.evaluate(() => new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(() => {
      const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
      resolve({ ms: Math.round(performance.now()), kb: Math.round(entries.reduce((sum, e) => sum + (e.transferSize || 0), 0) / 1024) });
    }, 0));
  }));
}

const results = { 'first visit': [], 'return visit': [], 'stream after stream': [] };
const options = { viewport: { width: 1280, height: 800 }, storageState: signedIn };
for (let run = 0; run < Number(runs); run += 1) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto(`${base}/projects/${projectId}/issues`);
  results['first visit'].push(await measure(page));
  await page.goto(`${base}/projects/${projectId}/issues?sort=first_seen`);
  results['return visit'].push(await measure(page));
  // In the application: the next page of the list, as a click would open it.
  const started = await page.evaluate(() => performance.now());
  await page.getByRole('button', { name: 'Next page' }).click();
  await page.waitForURL(/after=/);
  const next = await measure(page);
  results['stream after stream'].push({ ms: next.ms - Math.round(started), kb: null });
  await context.close();
}
for (const [way, measured] of Object.entries(results)) {
  const sorted = measured.map((m) => m.ms).sort((a, b) => a - b);
  console.log(JSON.stringify({ way, runs_ms: measured.map((m) => m.ms), median_ms: sorted[Math.floor(sorted.length / 2)],
    transferred_kb: measured[0].kb }));
}
await browser.close();
