// How fast the issue stream is for a person: a real Chromium opens a project's stream on a
// running server (signed in), and this measures, per run, the milliseconds from navigation
// start until the table shows its rows and the page is interactive, and the bytes transferred
// (compressed) for the whole page. Prints one JSON line per run and the median.
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
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
await page.goto(`${base}/login`);
await page.getByLabel('Email').fill(email);
await page.getByLabel('Password').fill(password);
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForURL((url) => !url.pathname.startsWith('/login'));

const results = [];
for (let run = 0; run < Number(runs); run += 1) {
  // A cold cache each time: every asset and the GraphQL answer travel again.
  const session = await context.newCDPSession(page);
  await session.send('Network.clearBrowserCache');
  let transferred = 0;
  session.on('Network.loadingFinished', (event) => { transferred += event.encodedDataLength; });
  await session.send('Network.enable');
  await page.goto(`${base}/projects/${projectId}/issues`);
  await page.locator('table tbody tr').first().waitFor();
  const interactive = await page.evaluate(() => new Promise((resolve) => {
    // The next frame after the rows are in the document: drawn and ready for input.
    requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0));
  }));
  const rows = await page.locator('table tbody tr').count();
  await session.detach();
  results.push({ run, ms: Math.round(interactive), rows, transferred_kb: Math.round(transferred / 1024) });
  console.log(JSON.stringify(results.at(-1)));
}
const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
console.log(JSON.stringify({ median_ms: sorted[Math.floor(sorted.length / 2)], max_ms: sorted.at(-1),
  transferred_kb: results.at(-1).transferred_kb }));
await browser.close();
