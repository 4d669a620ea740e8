// Regenerates tests/fixtures/grouping-sdks/browser.jsonl and browser-labels.csv from scratch:
// starts the shared capture server (tests/corpus/capture.py), serves the shop page of
// page/ (with @sentry/browser loaded unbundled from node_modules through an import map) from a
// small static server, drives it in headless Chromium through playwright-core for every step of
// scenarios.mjs, flushes the SDK before each page closes, stops both servers and writes the
// labels. Usage (from this folder, after `npm ci`): node run.mjs
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { once } from 'node:events';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { RELEASES, visitsOf } from './scenarios.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../../..');
const FIXTURES = join(repo, 'tests/fixtures/grouping-sdks');
const JSONL = join(FIXTURES, 'browser.jsonl');
const LABELS = join(FIXTURES, 'browser-labels.csv');
const CAPTURE = join(repo, 'tests/corpus/capture.py');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SDK = 'browser';
const STEP_TIMEOUT = 5000;

const startedAt = Date.now();
const log = (text) => console.log(`[${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${text}`);

// ---- the page, per release -------------------------------------------------------------------

/**
 * A page source as release `release` serves it: lines marked `// @since 1.0.1` exist only in
 * 1.0.1, lines marked `// @until 1.0.0` only in 1.0.0 (the marker itself is removed), so the
 * faulty lines sit lower in 1.0.1; __DSN__ and __RELEASE__ are filled in.
 */
function sourceFor(file, release, dsn) {
  const lines = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const since = line.match(/\s*\/\/ @since (\S+)\s*$/);
    const until = line.match(/\s*\/\/ @until (\S+)\s*$/);
    if (since) {
      if (release >= since[1]) lines.push(line.slice(0, since.index));
    } else if (until) {
      if (release <= until[1]) lines.push(line.slice(0, until.index));
    } else {
      lines.push(line);
    }
  }
  return lines.join('\n').replaceAll('__DSN__', dsn).replaceAll('__RELEASE__', release);
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json' };

/** The static server: `/` the page, `/static/*.js` the app as `state.release`, `/node_modules/*`. */
function startStatic(state) {
  const pageDir = join(here, 'page');
  const modules = join(here, 'node_modules');
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = null;
    let body = null;
    if (path === '/' || path === '/index.html') {
      file = join(pageDir, 'index.html');
    } else if (path.startsWith('/static/')) {
      file = normalize(join(pageDir, path));
      if (file.startsWith(join(pageDir, 'static') + sep) && existsSync(file)) {
        body = sourceFor(file, state.release, state.dsn);
      } else file = null;
    } else if (path.startsWith('/node_modules/')) {
      file = normalize(join(here, path));
      if (!file.startsWith(modules + sep)) file = null;
    }
    if (file && body === null && existsSync(file) && statSync(file).isFile()) body = readFileSync(file);
    if (!file || body === null) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    const ext = file.slice(file.lastIndexOf('.'));
    res.writeHead(200, { 'Content-Type': TYPES[ext] || 'application/octet-stream', 'Cache-Control': 'no-store' });
    res.end(body);
  });
  server.listen(0, '127.0.0.1');
  return server;
}

async function freePort() {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  probe.close();
  await once(probe, 'close');
  return port;
}

async function waitForCapture(port) {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the capture server did not start');
}

// ---- driving the page ------------------------------------------------------------------------

async function runOp(page, [kind, selector, value]) {
  if (kind === 'fill') await page.fill(selector, value);
  else if (kind === 'select') await page.selectOption(selector, value);
  else if (kind === 'set') await page.$eval(selector, (el, v) => { el.value = v; }, value);
  else if (kind === 'click') await page.click(selector);
  else throw new Error(`unknown operation ${kind}`);
}

const sentCount = (page) => page.evaluate(() => window.__corpusSent.length);

/** Waits for the one event a step causes; returns its id. */
async function oneEvent(page, before, what) {
  const deadline = Date.now() + STEP_TIMEOUT;
  while ((await sentCount(page)) <= before) {
    if (Date.now() > deadline) throw new Error(`no event for ${what}`);
    await page.waitForTimeout(20);
  }
  await page.waitForTimeout(120); // a second event would show up here
  const ids = await page.evaluate((n) => window.__corpusSent.slice(n), before);
  if (ids.length !== 1) throw new Error(`${ids.length} events for ${what}`);
  return ids[0];
}

async function runVisit(browser, base, release, steps, labels) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Failed to load|SyntaxError: The requested module|does not provide/.test(msg.text())) {
      problems.push(msg.text());
    }
  });
  try {
    const boot = steps[0].boot;
    const url = boot ? `${base}/?${new URLSearchParams(boot)}` : `${base}/`;
    await page.goto(url);
    await page.waitForFunction(() => window.__corpusReady === true, null, { timeout: 15000 });
    let before = 0;
    for (const step of steps) {
      if (!step.boot) {
        before = await sentCount(page);
        for (const op of step.ops) await runOp(page, op);
      }
      const id = await oneEvent(page, before, `${release} ${step.label} (${step.caller})`);
      labels.push({ id, label: step.label, release: `shop-web@${release}`, caller: step.caller });
    }
    const flushed = await page.evaluate(() => window.Sentry.flush(2000));
    if (!flushed) throw new Error('Sentry.flush(2000) timed out');
    const total = await sentCount(page);
    if (total !== steps.length) throw new Error(`page sent ${total} events for ${steps.length} steps`);
  } catch (error) {
    if (problems.length) error.message += `\n  page problems: ${problems.join('\n  ')}`;
    throw error;
  } finally {
    await context.close();
  }
}

// ---- checking the capture --------------------------------------------------------------------

/** The event id and item types of one captured request. */
function inspect(record) {
  let body = Buffer.from(record.body_b64, 'base64');
  const encoding = Object.entries(record.headers).find(([k]) => k.toLowerCase() === 'content-encoding')?.[1];
  if (encoding && /gzip/i.test(encoding)) body = gunzipSync(body);
  const lines = body.toString('utf8').split('\n');
  const header = JSON.parse(lines[0]);
  const types = [];
  for (let i = 1; i < lines.length; i += 2) {
    if (!lines[i].trim()) continue;
    types.push(JSON.parse(lines[i]).type);
  }
  return { id: header.event_id, types };
}

// ---- main ------------------------------------------------------------------------------------

async function main() {
  mkdirSync(FIXTURES, { recursive: true });
  const scratch = join(FIXTURES, `.browser-capture-${process.pid}.jsonl`);
  rmSync(scratch, { force: true });

  const capturePort = await freePort();
  const capture = spawn('python3', [CAPTURE, String(capturePort), scratch], { stdio: ['ignore', 'inherit', 'inherit'] });
  const state = { release: '1.0.0', dsn: `http://key@127.0.0.1:${capturePort}/1` };
  const statics = startStatic(state);
  await once(statics, 'listening');
  const base = `http://127.0.0.1:${statics.address().port}`;
  let browser = null;
  const labels = [];
  try {
    await waitForCapture(capturePort);
    log(`capture server on ${capturePort}, page on ${base}`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    for (const release of Object.keys(RELEASES)) {
      state.release = release;
      const visits = visitsOf(release);
      for (const [i, steps] of visits.entries()) {
        await runVisit(browser, base, release, steps, labels);
        log(`release ${release}: visit ${i + 1}/${visits.length} sent ${steps.length} events`);
      }
    }
  } finally {
    if (browser) await browser.close();
    statics.close();
    await new Promise((r) => setTimeout(r, 300)); // let the last request be written
    capture.kill('SIGINT');
    await once(capture, 'exit');
  }

  // every labelled event must be in the capture exactly once, and nothing else
  const raw = readFileSync(scratch, 'utf8').split('\n').filter(Boolean);
  const records = raw.map((l) => JSON.parse(l));
  const captured = records.map(inspect);
  const capturedIds = captured.map((c) => c.id);
  const labelled = labels.map((l) => l.id);
  const problems = [];
  for (const c of captured) if (!c.types.includes('event')) problems.push(`captured request ${c.id} has no event item (${c.types})`);
  if (new Set(capturedIds).size !== capturedIds.length) problems.push('an event id was captured twice');
  for (const id of labelled) if (!capturedIds.includes(id)) problems.push(`labelled event ${id} was not captured`);
  for (const id of capturedIds) if (!labelled.includes(id)) problems.push(`captured event ${id} has no label`);
  if (problems.length) {
    throw new Error(`capture check failed (scratch file kept: ${scratch}):\n  ${problems.join('\n  ')}`);
  }

  // keep the capture in the order of the labels (the run order)
  const order = new Map(labelled.map((id, i) => [id, i]));
  const lines = raw.map((l, i) => [order.get(captured[i].id), l]).sort((a, b) => a[0] - b[0]);
  writeFileSync(JSONL, lines.map(([, l]) => l + '\n').join(''));
  rmSync(scratch);
  writeFileSync(LABELS, labels.map((l) => `${l.id},${l.label},${SDK},${l.release}\n`).join(''));

  const counts = {};
  for (const l of labels) {
    counts[l.label] ??= {};
    counts[l.label][l.release] = (counts[l.label][l.release] || 0) + 1;
  }
  log(`wrote ${labels.length} events to ${JSONL} and ${LABELS}`);
  for (const [label, byRelease] of Object.entries(counts).sort()) {
    const total = Object.values(byRelease).reduce((a, b) => a + b, 0);
    console.log(`  ${label.padEnd(36)} ${String(total).padStart(3)}  ${JSON.stringify(byRelease)}`);
  }
}

main().catch((error) => {
  console.error(error.stack || String(error));
  process.exit(1);
});
