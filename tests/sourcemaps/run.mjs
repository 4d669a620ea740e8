// Releases and source maps end to end, with the real sentry-cli and the real @sentry/node against
// a live Larder that .ci/sourcemaps-e2e prepared (a project "Web", an API token, its DSN).
//
// A small Node application (app/main.js and one app/cart-VERSION.js per release) is bundled and
// minified by esbuild with source maps, sentry-cli injects debug IDs and uploads the maps, and the
// application reports its error with @sentry/node; the events are read back through GraphQL.
// Each scenario prints PASS, FAIL or SKIPPED with the reason; any failure exits non-zero. Builds go
// to $SOURCEMAPS_WORK (a temporary folder when unset), never into the repository.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set (see tests/sourcemaps/README.md)`);
    process.exit(2);
  }
  return value;
}

const BASE = required('LARDER_URL').replace(/\/$/, '');
const TOKEN = required('LARDER_TOKEN');
const DSN = required('LARDER_DSN');
const ORG = process.env.LARDER_ORG || 'default';
const PROJECT = process.env.LARDER_PROJECT || 'web';
const WORK = process.env.SOURCEMAPS_WORK || mkdtempSync(join(tmpdir(), 'larder-sourcemaps-'));
mkdirSync(WORK, { recursive: true });

const SENTRY_CLI = join(here, 'node_modules', '.bin', 'sentry-cli');
const ESBUILD = join(here, 'node_modules', '.bin', 'esbuild');

/**
 * sentry-cli sees nothing of this machine's configuration and reaches nothing but Larder: its
 * home is the work folder (no ~/.sentryclirc), it reads no .env file, checks for no update, and
 * every command gets --url and --auth-token.
 */
const CLI_ENV = {
  PATH: process.env.PATH,
  HOME: WORK,
  SENTRY_LOAD_DOTENV: '0',
  SENTRY_DISABLE_UPDATE_CHECK: '1',
  SENTRY_LOG_LEVEL: 'warn',
};

// ---- helpers -------------------------------------------------------------------------------

class Skip extends Error {}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function show(value) {
  return JSON.stringify(value);
}

/** Runs sentry-cli; `ok: false` returns a failed run instead of throwing. */
function sentryCli(args, { token = TOKEN, cwd = WORK, ok = true, logLevel } = {}) {
  const all = ['--url', BASE, '--auth-token', token, ...(logLevel ? ['--log-level', logLevel] : []), ...args];
  const run = spawnSync(SENTRY_CLI, all, { cwd, env: CLI_ENV, encoding: 'utf8', timeout: 60_000 });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim();
  if (ok && run.status !== 0) {
    throw new Error(`sentry-cli ${args.join(' ')} exited ${run.status ?? run.signal}:\n${indent(output)}`);
  }
  return { status: run.status, output, stdout: run.stdout ?? '', stderr: run.stderr ?? '' };
}

function indent(text) {
  return text.split('\n').map((line) => `      ${line}`).join('\n');
}

/**
 * Bundles app/main.js with app/cart-VERSION.js (as src/cart.js) into VERSION/dist/app.min.mjs
 * and its map; @sentry/node stays an import, found through a link to this folder's node_modules.
 */
function build(version, extraOptions = []) {
  const dir = join(WORK, `build-${version}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  copyFileSync(join(here, 'app', 'main.js'), join(dir, 'src', 'main.js'));
  copyFileSync(join(here, 'app', `cart-${version}.js`), join(dir, 'src', 'cart.js'));
  symlinkSync(join(here, 'node_modules'), join(dir, 'node_modules'), 'dir');
  execFileSync(ESBUILD, [
    'src/main.js', '--bundle', '--minify', '--sourcemap', '--platform=node', '--format=esm',
    '--packages=external', '--outfile=dist/app.min.mjs', '--log-level=warning', ...extraOptions,
  ], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], timeout: 60_000 });
  return dir;
}

function inject(dir) {
  const run = sentryCli(['sourcemaps', 'inject', 'dist'], { cwd: dir });
  const minified = readFileSync(join(dir, 'dist', 'app.min.mjs'), 'utf8');
  const map = JSON.parse(readFileSync(join(dir, 'dist', 'app.min.mjs.map'), 'utf8'));
  const debugId = /debugId=([0-9a-f-]{36})/.exec(minified)?.[1];
  check(debugId, `sentry-cli sourcemaps inject left no debugId comment in app.min.mjs:\n${indent(run.output)}`);
  check(map.debug_id === debugId || map.debugId === debugId,
    `the map's debug ID (${map.debug_id ?? map.debugId}) is not the minified file's (${debugId})`);
  return debugId;
}

function upload(dir, release) {
  return sentryCli(['sourcemaps', 'upload', '--org', ORG, '--project', PROJECT, '--release', release, 'dist'],
    { cwd: dir });
}

/** Runs the built application; answers the SDK's event id it printed. */
function runApp(dir, release) {
  const run = spawnSync(process.execPath, ['dist/app.min.mjs'], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: WORK, SENTRY_DSN: DSN, APP_RELEASE: release },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const output = `${run.stdout}${run.stderr}`.trim();
  check(run.status === 0, `node dist/app.min.mjs (${release}) exited ${run.status ?? run.signal}:\n${indent(output)}`);
  const eventId = /^event ([0-9a-f]{32})$/m.exec(run.stdout)?.[1];
  check(eventId, `node dist/app.min.mjs (${release}) printed no event id:\n${indent(output)}`);
  return eventId;
}

/** Where the minified file throws `errorType`: the enclosing function's name and the column. */
function minifiedThrowSite(dir, errorType) {
  const lines = readFileSync(join(dir, 'dist', 'app.min.mjs'), 'utf8').split('\n');
  for (const [index, line] of lines.entries()) {
    const at = line.indexOf(`throw new ${errorType}`);
    if (at < 0) continue;
    const functions = [...line.slice(0, at).matchAll(/function ([\w$]+)\(/g)];
    return { line: index + 1, column: at + 1, function: functions.at(-1)?.[1] };
  }
  throw new Error(`no "throw new ${errorType}" in ${dir}/dist/app.min.mjs`);
}

/** The 1-based line of the first line of app/cart-VERSION.js that contains `text`. */
function sourceLine(version, text) {
  const lines = readFileSync(join(here, 'app', `cart-${version}.js`), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(text));
  check(index >= 0, `"${text}" is not in app/cart-${version}.js`);
  return index + 1;
}

async function graphql(query, variables = {}) {
  const response = await fetch(`${BASE}/graphql`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  let answer;
  try {
    answer = JSON.parse(text);
  } catch {
    throw new Error(`POST /graphql answered ${response.status}: ${text.slice(0, 500)}`);
  }
  if (answer.errors?.length) {
    throw new Error(`GraphQL errors: ${answer.errors.map((e) => e.message).join('; ')}\n      query: ${query.replace(/\s+/g, ' ').trim()}`);
  }
  return answer.data;
}

/** The fields of a GraphQL object type the server has (empty when it has no such type). */
async function fieldsOf(type) {
  const data = await graphql('query($name: String!) { __type(name: $name) { fields { name } } }', { name: type });
  return new Set((data.__type?.fields ?? []).map((f) => f.name));
}

const EVENT_QUERY = `query($id: ID!) {
  event(id: $id) {
    id eventId issueId release environment
    exceptions { type value stacktrace { frames {
      filename absPath function lineno colno contextLine preContext postContext inApp
      sourcemap sourcemapError { kind message } minified { filename function lineno colno }
    } } }
  }
}`;

/** The event the SDK sent, once it is stored (up to 20 s). */
async function waitForEvent(eventId) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { event } = await graphql(EVENT_QUERY, { id: eventId });
    if (event) return event;
    if (Date.now() > deadline) throw new Error(`event ${eventId} was not stored within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function readEvent(eventId) {
  const { event } = await graphql(EVENT_QUERY, { id: eventId });
  check(event, `event ${eventId} is gone`);
  return event;
}

async function readIssue(id) {
  const { issue } = await graphql('query($id: ID!) { issue(id: $id) { id title culprit count firstRelease lastRelease } }', { id });
  check(issue, `issue ${id} is not found`);
  return issue;
}

/** The raised exception and its frames, crash site last. */
function crash(event) {
  const exception = event.exceptions.at(-1);
  check(exception, `event ${event.eventId} has no exception`);
  const frames = exception.stacktrace?.frames ?? [];
  check(frames.length >= 2, `event ${event.eventId} has ${frames.length} frames`);
  return { exception, frames, top: frames.at(-1), caller: frames.at(-2) };
}

function describe(frame) {
  return show({
    filename: frame.filename, function: frame.function, lineno: frame.lineno, colno: frame.colno,
    contextLine: frame.contextLine, inApp: frame.inApp, sourcemap: frame.sourcemap,
    sourcemapError: frame.sourcemapError, minified: frame.minified,
  });
}

/** Checks that a frame was mapped back to `function` in src/cart.js at `lineno`, with context. */
function checkMapped(frame, { fn, lineno, context }) {
  const where = `frame ${describe(frame)}`;
  check(frame.filename === 'src/cart.js', `filename is not src/cart.js: ${where}`);
  check(frame.function === fn, `function is not ${fn}: ${where}`);
  check(frame.lineno === lineno, `lineno is not ${lineno}: ${where}`);
  check(frame.contextLine?.includes(context), `contextLine does not contain "${context}": ${where}`);
  check(frame.preContext?.length > 0, `preContext is empty: ${where}`);
  check(frame.postContext?.length > 0, `postContext is empty: ${where}`);
  check(frame.inApp === true, `inApp is not true: ${where}`);
  check(frame.sourcemap, `sourcemap is not set: ${where}`);
  check(!frame.sourcemapError, `sourcemapError is set: ${where}`);
  check(frame.minified?.filename?.endsWith('.mjs'), `minified.filename does not end in .mjs: ${where}`);
}

// ---- scenarios -----------------------------------------------------------------------------

const state = {};

/** Build 1 (release 1.0.0): releases new, inject, upload, finalize, deploy; the error is mapped. */
async function mappedFrames(notes) {
  const frameFields = await fieldsOf('Frame');
  for (const field of ['sourcemap', 'sourcemapError', 'minified']) {
    check(frameFields.has(field), `the server's Frame has no field ${field}`);
  }
  const dir = build('1.0.0');
  state.build1 = dir;
  sentryCli(['releases', 'new', '--org', ORG, '--project', PROJECT, '1.0.0']);
  const debugId = inject(dir);
  const uploaded = upload(dir, '1.0.0');
  notes.push(`debug ID ${debugId}; upload said: ${uploaded.stdout.split('\n').find((l) => /bundle|upload/i.test(l))?.trim() ?? '(nothing)'}`);
  sentryCli(['releases', 'finalize', '--org', ORG, '--project', PROJECT, '1.0.0']);
  sentryCli(['deploys', 'new', '--org', ORG, '--project', PROJECT, '--release', '1.0.0', '-e', 'production']);

  const event = await waitForEvent(runApp(dir, '1.0.0'));
  const { exception, top, caller } = crash(event);
  check(exception.type === 'TypeError' && exception.value === 'no price for cake',
    `the exception is ${exception.type}: ${exception.value}`);
  check(event.release === '1.0.0', `the event's release is ${event.release}`);
  checkMapped(top, { fn: 'priceOf', lineno: sourceLine('1.0.0', 'throw new TypeError'), context: 'throw new TypeError' });
  checkMapped(caller, { fn: 'totalOf', lineno: sourceLine('1.0.0', 'priceOf(item) * item.quantity'), context: 'priceOf(item) * item.quantity' });
  const site = minifiedThrowSite(dir, 'TypeError');
  check(top.minified.function === site.function,
    `minified.function ${top.minified.function} is not the minified name ${site.function} in the build`);

  const issue = await readIssue(event.issueId);
  check(issue.title === 'TypeError: no price for cake', `the issue's title is ${issue.title}`);
  check(issue.culprit === 'src/cart.js in priceOf', `the issue's culprit is ${issue.culprit}`);
  state.event1 = event;
  state.issueId = issue.id;
  notes.push(`${top.minified.filename} ${top.minified.function}:${top.minified.lineno}:${top.minified.colno} → ${top.filename} ${top.function}:${top.lineno}:${top.colno} "${top.contextLine.trim()}" (map ${top.sourcemap}); caller ${caller.function}:${caller.lineno}; issue ${issue.id} "${issue.culprit}"`);
}

/** Build 2 (release 1.0.1): other minified names and columns, the same source bug → the same issue. */
async function secondBuildSameIssue(notes) {
  check(state.issueId, 'needs the issue of mappedFrames');
  const dir = build('1.0.1');
  inject(dir);
  const before = minifiedThrowSite(state.build1, 'TypeError');
  const after = minifiedThrowSite(dir, 'TypeError');
  check(before.function !== after.function || before.column !== after.column,
    `build 2 throws at the same minified place as build 1: ${show(after)}`);
  upload(dir, '1.0.1');

  const event = await waitForEvent(runApp(dir, '1.0.1'));
  const { top, caller } = crash(event);
  checkMapped(top, { fn: 'priceOf', lineno: sourceLine('1.0.1', 'throw new TypeError'), context: 'throw new TypeError' });
  checkMapped(caller, { fn: 'totalOf', lineno: sourceLine('1.0.1', 'priceOf(item) * item.quantity'), context: 'priceOf(item) * item.quantity' });
  const first = crash(state.event1).top.minified;
  check(top.minified.function !== first.function || top.minified.colno !== first.colno,
    `the SDK's minified frame is the same in both builds: ${show(top.minified)}`);
  check(event.issueId === state.issueId, `the event went to issue ${event.issueId}, not ${state.issueId}`);
  let issue = await readIssue(state.issueId);
  for (let tries = 0; issue.count < 2 && tries < 25; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    issue = await readIssue(state.issueId);
  }
  check(issue.count === 2, `the issue's count is ${issue.count}, not 2`);
  check(issue.lastRelease === '1.0.1', `the issue's lastRelease is ${issue.lastRelease}`);
  notes.push(`minified ${first.function}:${first.colno} (1.0.0) vs ${top.minified.function}:${top.minified.colno} (1.0.1); mapped line ${crash(state.event1).top.lineno} vs ${top.lineno}; issue ${issue.id} count ${issue.count}`);
}

/** Build 3 (release 1.0.2, another bug): no map at ingest → NO_MAP; after the upload, mapped when read. */
async function mapUploadedAfterTheError(notes) {
  const dir = build('1.0.2');
  inject(dir);
  const site = minifiedThrowSite(dir, 'RangeError');
  const eventId = runApp(dir, '1.0.2');
  const event = await waitForEvent(eventId);
  const { exception, top } = crash(event);
  check(exception.type === 'RangeError', `the exception is ${exception.type}: ${exception.value}`);
  check(!state.issueId || event.issueId !== state.issueId, `the RangeError went to the TypeError's issue ${event.issueId}`);
  const where = `frame ${describe(top)}`;
  check(top.sourcemapError?.kind === 'NO_MAP', `sourcemapError.kind is not NO_MAP: ${where}`);
  check((top.filename ?? top.absPath ?? '').endsWith('.mjs'), `the unmapped frame's filename does not end in .mjs: ${where}`);
  check(top.function === site.function, `the unmapped frame's function is not the minified ${site.function}: ${where}`);
  check(!top.sourcemap, `sourcemap is set on an unmapped frame: ${where}`);
  notes.push(`before the upload: ${top.filename} ${top.function}:${top.lineno}:${top.colno} NO_MAP "${top.sourcemapError.message}"`);

  upload(dir, '1.0.2');
  const again = await readEvent(eventId);
  const mapped = crash(again);
  checkMapped(mapped.top, { fn: 'quantityOf', lineno: sourceLine('1.0.2', 'throw new RangeError'), context: 'throw new RangeError' });
  checkMapped(mapped.caller, { fn: 'totalOf', lineno: sourceLine('1.0.2', 'priceOf(item) * quantityOf(item)'), context: 'priceOf(item) * quantityOf(item)' });
  notes.push(`after the upload: ${mapped.top.filename} ${mapped.top.function}:${mapped.top.lineno} "${mapped.top.contextLine.trim()}"; issue ${event.issueId}`);
}

/** sentry-cli releases list and info; the releases, deploys and events in GraphQL. */
async function releases(notes) {
  const list = sentryCli(['releases', 'list', '--org', ORG, '--project', PROJECT]);
  check(/\b1\.0\.0\b/.test(list.stdout), `releases list does not show 1.0.0:\n${indent(list.output)}`);
  const info = sentryCli(['releases', 'info', '--org', ORG, '--project', PROJECT, '1.0.0']);
  check(/\b1\.0\.0\b/.test(info.stdout), `releases info 1.0.0 does not show it:\n${indent(info.output)}`);
  const missing = sentryCli(['releases', 'info', '--org', ORG, '--project', PROJECT, '9.9.9'], { ok: false });
  check(missing.status !== 0, `releases info 9.9.9 (no such release) exited 0:\n${indent(missing.output)}`);
  notes.push(`releases list:\n${indent(list.stdout.trim())}`);

  const wanted = ['version', 'dateReleased', 'deploys', 'firstEvent', 'lastEvent'];
  const have = await fieldsOf('Release');
  const absent = wanted.filter((field) => !have.has(field));
  if (absent.length) throw new Skip(`the server's Release has no ${absent.join(', ')} (sentry-cli part passed)`);
  const { projects } = await graphql('{ projects { id slug } }');
  const project = projects.find((p) => p.slug === PROJECT);
  check(project, `no project with slug ${PROJECT}: ${show(projects)}`);
  const data = await graphql(`query($id: ID!) { project(id: $id) { releases {
    version dateReleased deploys { environment } firstEvent lastEvent } } }`, { id: project.id });
  const byVersion = new Map(data.project.releases.map((r) => [r.version, r]));
  const first = byVersion.get('1.0.0');
  check(first, `GraphQL lists no release 1.0.0: ${show(data.project.releases)}`);
  check(first.dateReleased, `1.0.0 has no dateReleased after releases finalize: ${show(first)}`);
  check(first.deploys.some((d) => d.environment === 'production'), `1.0.0 has no production deploy: ${show(first)}`);
  check(first.firstEvent && first.lastEvent, `1.0.0 has no firstEvent/lastEvent after its event: ${show(first)}`);
  for (const version of ['1.0.1', '1.0.2']) {
    const release = byVersion.get(version);
    check(release?.firstEvent, `release ${version} (named by its event) is missing or has no firstEvent: ${show(release)}`);
  }
  notes.push(`GraphQL: ${data.project.releases.map((r) => `${r.version} (released ${r.dateReleased ?? '-'}, deploys ${r.deploys.map((d) => d.environment).join(',') || '-'})`).join('; ')}`);
}

/** A wrong token and an unknown organization make sentry-cli fail with a message. */
async function badInputs(notes) {
  const wrongToken = `${TOKEN.slice(0, -4)}${TOKEN.endsWith('aaaa') ? 'bbbb' : 'aaaa'}`;
  const list = sentryCli(['releases', 'list', '--org', ORG, '--project', PROJECT], { token: wrongToken, ok: false });
  check(list.status !== 0, `releases list with a wrong token exited 0:\n${indent(list.output)}`);
  check(/401|invalid token|unauthori[sz]ed/i.test(list.output), `releases list with a wrong token said:\n${indent(list.output)}`);
  const dir = state.build1 ?? build('1.0.0');
  const up = sentryCli(['sourcemaps', 'upload', '--org', ORG, '--project', PROJECT, '--release', '1.0.0', 'dist'],
    { token: wrongToken, cwd: dir, ok: false });
  check(up.status !== 0, `sourcemaps upload with a wrong token exited 0:\n${indent(up.output)}`);
  const org = sentryCli(['releases', 'list', '--org', 'nosuchorg', '--project', PROJECT], { ok: false });
  check(org.status !== 0, `releases list --org nosuchorg exited 0:\n${indent(org.output)}`);
  check(/not found|does not exist|no such/i.test(org.output), `releases list --org nosuchorg said:\n${indent(org.output)}`);
  const orgUpload = sentryCli(['sourcemaps', 'upload', '--org', 'nosuchorg', '--project', PROJECT, '--release', '1.0.0', 'dist'],
    { cwd: dir, ok: false });
  check(orgUpload.status !== 0, `sourcemaps upload --org nosuchorg exited 0:\n${indent(orgUpload.output)}`);
  // "error: …" and, when there is one, the "Caused by:" line after it.
  const firstLine = (run) => {
    const lines = run.output.split('\n').map((l) => l.trim());
    const error = lines.findIndex((l) => l.startsWith('error:'));
    if (error < 0) return lines[0];
    const cause = lines[error + 1] === '' && lines[error + 2] === 'Caused by:' ? ` (${lines[error + 3]})` : '';
    return `${lines[error]}${cause}`;
  };
  notes.push(`wrong token: releases list exit ${list.status} "${firstLine(list)}"; upload exit ${up.status} "${firstLine(up)}"`);
  notes.push(`--org nosuchorg: releases list exit ${org.status} "${firstLine(org)}"; upload exit ${orgUpload.status} "${firstLine(orgUpload)}"`);
}

/**
 * sentry-cli talks to Larder only: an upload's debug log shows every request's Host header, and
 * each is Larder's.
 */
async function talksOnlyToLarder(notes) {
  check(state.build1, 'needs the build of mappedFrames');
  const run = sentryCli(['sourcemaps', 'upload', '--org', ORG, '--project', PROJECT, '--release', '1.0.0', 'dist'],
    { cwd: state.build1, logLevel: 'debug' });
  const requests = [...run.stderr.matchAll(/> (GET|POST|PUT|DELETE) (\S+) HTTP/g)].map((m) => `${m[1]} ${m[2]}`);
  const hosts = [...run.stderr.matchAll(/> Host: (\S+)/g)].map((m) => m[1]);
  check(hosts.length > 0 && hosts.length === requests.length,
    `the debug log shows ${requests.length} requests and ${hosts.length} Host headers:\n${indent(run.stderr.slice(0, 3000))}`);
  const others = [...new Set(hosts.filter((host) => `http://${host}` !== BASE))];
  check(others.length === 0, `sentry-cli sent requests to ${others.join(', ')}`);
  notes.push(`${requests.length} requests, all to ${BASE}: ${[...new Set(requests)].join(', ')}`);
}

const SCENARIOS = [mappedFrames, secondBuildSameIssue, mapUploadedAfterTheError, releases, badInputs, talksOnlyToLarder];

// ---- runner --------------------------------------------------------------------------------

const counts = { passed: 0, failed: 0, skipped: 0 };
for (const scenario of SCENARIOS) {
  const started = Date.now();
  const notes = [];
  let outcome = 'PASS';
  let reason = '';
  try {
    await scenario(notes);
    counts.passed += 1;
  } catch (error) {
    if (error instanceof Skip) {
      outcome = 'SKIPPED';
      counts.skipped += 1;
    } else {
      outcome = 'FAIL';
      counts.failed += 1;
    }
    reason = error.message;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${outcome} ${scenario.name} (${seconds} s)${reason ? `: ${reason}` : ''}`);
  for (const note of notes) console.log(`    ${note}`);
}
console.log(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(counts.failed ? 1 : 0);
