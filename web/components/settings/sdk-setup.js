// How to point an SDK at this project: install and init code for Python, JavaScript in the
// browser and in Node, and Rust, with the project's first active DSN filled in.
import { html, useState } from '../../lib/view.js';
import { CopyButton } from './common.js';

const PLATFORMS = [
  {
    id: 'python',
    name: 'Python',
    install: 'pip install --upgrade sentry-sdk',
    code: (dsn) => `import sentry_sdk

sentry_sdk.init(dsn="${dsn}")`,
  },
  {
    id: 'browser',
    name: 'JavaScript (browser)',
    install: 'npm install @sentry/browser',
    code: (dsn) => `import * as Sentry from "@sentry/browser";

Sentry.init({ dsn: "${dsn}" });`,
  },
  {
    id: 'node',
    name: 'JavaScript (Node)',
    install: 'npm install @sentry/node',
    code: (dsn) => `// Load this before any other module of the application.
const Sentry = require("@sentry/node");

Sentry.init({ dsn: "${dsn}" });`,
  },
  {
    id: 'rust',
    name: 'Rust',
    install: 'cargo add sentry',
    code: (dsn) => `fn main() {
    // Keep the guard alive until the program ends: dropping it sends what is queued.
    let _guard = sentry::init(("${dsn}", sentry::ClientOptions {
        release: sentry::release_name!(),
        ..Default::default()
    }));

    // …the rest of main
}`,
  },
];

export function SdkSetup({ keys }) {
  const [chosen, setChosen] = useState('python');
  const key = keys.find((k) => k.isActive);
  const platform = PLATFORMS.find((p) => p.id === chosen);
  return html`<section class="settings-section" aria-labelledby="sdk-heading">
    <h2 id="sdk-heading">SDK setup</h2>
    ${key ? html`
      <fieldset class="segmented">
        <legend class="visually-hidden">Platform</legend>
        ${PLATFORMS.map((p) => html`<label>
          <input type="radio" name="sdk-platform" value=${p.id} checked=${p.id === chosen}
            onChange=${() => setChosen(p.id)} /><span>${p.name}</span></label>`)}
      </fieldset>
      <p>Install the SDK:</p>
      <div class="code-block"><pre><code>${platform.install}</code></pre>
        <${CopyButton} text=${platform.install} what=${`${platform.name} install command`} /></div>
      <p>Initialise it as early as possible when the application starts (key "${key.label}"):</p>
      <div class="code-block"><pre><code>${platform.code(key.dsn)}</code></pre>
        <${CopyButton} text=${platform.code(key.dsn)} what=${`${platform.name} setup code`} /></div>`
    : html`<p>Every key of this project is revoked: reactivate one above to set up an SDK.</p>`}
  </section>`;
}
