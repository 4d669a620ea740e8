'use strict';
// Lays out the shop's source for one release in build/app/ (the same path for every release,
// as a deployment would): lines starting with "//+1.0.1 " only exist from 1.0.1 on, so 1.0.1
// has extra lines above the bug sites and every line number below them shifts.
//
// usage: node build.js VERSION
const fs = require('node:fs');
const path = require('node:path');

const version = process.argv[2];
const atLeast = (v, w) => {
  const [a, b] = [v, w].map((x) => x.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
};
const src = path.join(__dirname, 'app');
const out = path.join(__dirname, 'build', 'app');
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
for (const name of fs.readdirSync(src).sort()) {
  const lines = fs.readFileSync(path.join(src, name), 'utf8').split('\n');
  const kept = [];
  for (const line of lines) {
    const m = /^\/\/\+(\d+\.\d+\.\d+) (.*)$/.exec(line);
    if (!m) kept.push(line);
    else if (atLeast(version, m[1])) kept.push(m[2]);
  }
  fs.writeFileSync(path.join(out, name), kept.join('\n'));
}
