'use strict';
// Entry point: initialises the SDK, then plays scenarios of scenarios.js through the shop's
// request handlers, one at a time, and records which bug site each sent event belongs to.
//
// usage: node main.js DSN VERSION LABELS_OUT.csv           plays every scenario that does not crash
//        node main.js DSN VERSION LABELS_OUT.csv crash N   plays the N-th crashing scenario (the
//                                                          SDK reports the uncaught exception and
//                                                          exits the process with status 1)
const fs = require('node:fs');
const Sentry = require('@sentry/node');

const [dsn, version, labelsOut, mode, index] = process.argv.slice(2);
const release = `node-shop@${version}`;

let current = null; // the scenario being played
let events = 0; // events that reached beforeSend
const problems = [];

function describe(event) {
  const values = (event.exception && event.exception.values) || [];
  if (values.length) return String(values[values.length - 1].value);
  return String((event.logentry && event.logentry.formatted) || event.message || '');
}

Sentry.init({
  dsn,
  release,
  environment: 'production',
  serverName: 'shop-web-1',
  tracesSampleRate: 0,
  sendClientReports: false,
  // no release-health sessions: only error and message events should be sent
  integrations: (defaults) => defaults.filter((integration) => integration.name !== 'ProcessSession'),
  beforeSend(event) {
    // Only writes the event id down against the scenario being played (the label is the
    // scenario's); the event itself is sent unchanged.
    events += 1;
    const text = describe(event);
    if (!current) {
      problems.push(`event ${event.event_id} ("${text}") arrived outside any scenario`);
    } else if (current.events++ > 0) {
      problems.push(`${current.label} via ${current.route}: more than one event ("${text}")`);
    } else if (!current.expect.test(text)) {
      problems.push(`${current.label} via ${current.route}: unexpected "${text}"`);
    }
    const label = current ? current.label : 'UNLABELLED';
    fs.appendFileSync(labelsOut, `${event.event_id},${label},node,${release}\n`);
    if (mode === 'crash') {
      const status = problems.length ? `PROBLEM ${problems.join('; ')}` : 'ok';
      console.error(`[driver] ${release} crash ${index}: ${label} via ${current && current.route}: ${status}`);
    }
    return event;
  },
});

const routes = require('./routes');
const { schedule } = require('./scenarios');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function handle(route, args) {
  // what the web framework's error middleware does
  try {
    await routes[route](...args);
  } catch (err) {
    Sentry.captureException(err);
  }
}

async function play(scenario) {
  current = { ...scenario, events: 0 };
  await handle(scenario.route, scenario.args);
  for (let waited = 0; current.events === 0 && waited < 5000; waited += 10) await sleep(10);
  await sleep(30); // an extra event from the same request would show up here
  if (current.events === 0) problems.push(`${scenario.label} via ${scenario.route}: no event`);
  current = null;
  await Sentry.flush(5000);
}

async function main() {
  const all = schedule(version === '1.0.0' ? 0 : 1);
  if (mode === 'crash') {
    const scenario = all.filter((s) => s.crash)[Number(index)];
    await play(scenario); // the process normally ends inside this (exit status 1, from the SDK)
    console.error(`[driver] ${release} crash ${index}: the process did not exit: ${problems.join('; ')}`);
    process.exit(2);
  }
  const batch = all.filter((s) => !s.crash);
  for (const scenario of batch) {
    await play(scenario);
  }
  await sleep(100);
  if (!(await Sentry.flush(10000))) problems.push('flush timed out');
  if (problems.length) {
    console.error(`[driver] ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  } else {
    console.error(`[driver] ${release}: ${events} events from ${batch.length} scenarios`);
  }
}

main();
