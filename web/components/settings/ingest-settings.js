// What ingest does with the project's events: its name, retention, sampling, rate limit,
// inbound filters and scrubbing, saved together with updateProjectSettings.
import { html, useState } from '../../lib/view.js';
import { gql } from '../../lib/graphql.js';
import { useSession, can } from '../../lib/session.js';
import { useAction, Outcome, TextField, splitList, joinLines, setter } from './common.js';

const SAVE = `mutation SaveSettings($projectId: ID!, $settings: ProjectSettingsInput!) {
  updateProjectSettings(projectId: $projectId, settings: $settings) { id }
}`;

const FILTERS = [
  ['localhost', 'Events from localhost'],
  ['browserExtensions', 'Errors raised in browser extensions'],
  ['legacyBrowsers', 'Legacy browsers (Internet Explorer, old Opera and Android)'],
  ['webCrawlers', 'Search engines, monitors and other bots'],
];

function valuesOf(project) {
  const s = project.settings;
  return {
    name: project.name,
    retentionDays: s.retentionDays ?? '',
    sampleRate: String(s.sampleRate),
    rateLimitPerMinute: s.rateLimitPerMinute ?? '',
    ...Object.fromEntries(FILTERS.map(([key]) => [key, s.inboundFilters[key]])),
    errorMessages: joinLines(s.inboundFilters.errorMessages),
    releases: joinLines(s.inboundFilters.releases),
    scrubData: s.scrubData,
    sensitiveFields: joinLines(s.sensitiveFields),
    safeFields: joinLines(s.safeFields),
    scrubIpAddresses: s.scrubIpAddresses,
  };
}

function inputOf(v) {
  return {
    name: v.name.trim(),
    retentionDays: Number(v.retentionDays) || 0,
    sampleRate: Number(v.sampleRate),
    rateLimitPerMinute: Number(v.rateLimitPerMinute) || 0,
    inboundFilters: {
      ...Object.fromEntries(FILTERS.map(([key]) => [key, v[key]])),
      errorMessages: splitList(v.errorMessages),
      releases: splitList(v.releases),
    },
    scrubData: v.scrubData,
    sensitiveFields: splitList(v.sensitiveFields),
    safeFields: splitList(v.safeFields),
    scrubIpAddresses: v.scrubIpAddresses,
  };
}

export function IngestSettings({ project, onSaved }) {
  const session = useSession();
  const editable = can(session, 'project:write');
  const [values, setValues] = useState(() => valuesOf(project));
  const set = setter(setValues);
  const action = useAction();
  const submit = (event) => {
    event.preventDefault();
    action.run(async () => {
      await gql(SAVE, { projectId: project.id, settings: inputOf(values) });
      await onSaved(values.name.trim() !== project.name);
    }, 'Ingest settings saved.');
  };
  return html`<section class="settings-section" aria-labelledby="ingest-heading">
    <h2 id="ingest-heading">Ingest settings</h2>
    <form class="settings-form" onSubmit=${submit} aria-labelledby="ingest-heading"
      aria-describedby=${action.error ? 'ingest-error' : undefined}>
      <fieldset disabled=${!editable} class="plain">
        <div class="grid-2">
          <${TextField} label="Project name" required value=${values.name} onInput=${set('name')} />
          <${TextField} label="Retention (days)" type="number" min="1" value=${values.retentionDays}
            onInput=${set('retentionDays')} placeholder="Server default" help="Empty: the server's default." />
          <${TextField} label="Sample rate" type="number" min="0" max="1" step="0.01" required
            value=${values.sampleRate} onInput=${set('sampleRate')}
            help="Share of events kept, 0 to 1 (1 keeps all)." />
          <${TextField} label="Rate limit per minute" type="number" min="1" value=${values.rateLimitPerMinute}
            onInput=${set('rateLimitPerMinute')} placeholder="Unlimited"
            help="Empty: unlimited. Events past it get HTTP 429." />
        </div>
        <fieldset>
          <legend>Inbound filters (dropped events are counted as filtered)</legend>
          ${FILTERS.map(([key, name]) => html`<label class="check">
            <input type="checkbox" checked=${values[key]} onChange=${set(key)} /> ${name}</label>`)}
          <div class="grid-2">
            <${TextField} as="textarea" label="Error messages to drop" className="mono-field"
              value=${values.errorMessages} onInput=${set('errorMessages')} placeholder="*ConnectionResetError*"
              help="One glob a line (* any text), matched against “Type: value” and the message." />
            <${TextField} as="textarea" label="Releases to drop" className="mono-field"
              value=${values.releases} onInput=${set('releases')} placeholder="*-dev" help="One glob a line." />
          </div>
        </fieldset>
        <fieldset>
          <legend>Scrubbing</legend>
          <label class="check"><input type="checkbox" checked=${values.scrubData} onChange=${set('scrubData')} />
            Scrub data (passwords, tokens, cookies, card numbers…)</label>
          <label class="check"><input type="checkbox" checked=${values.scrubIpAddresses}
            onChange=${set('scrubIpAddresses')} /> Scrub IP addresses</label>
          <div class="grid-2">
            <${TextField} as="textarea" label="Sensitive fields" className="mono-field"
              value=${values.sensitiveFields} onInput=${set('sensitiveFields')}
              help="Extra key names to scrub, one a line." />
            <${TextField} as="textarea" label="Safe fields" className="mono-field"
              value=${values.safeFields} onInput=${set('safeFields')} help="Key names never scrubbed, one a line." />
          </div>
        </fieldset>
      </fieldset>
      ${editable
        ? html`<button type="submit" class="primary" disabled=${action.busy}>Save settings</button>`
        : html`<p class="muted">Your role cannot change these settings.</p>`}
      <${Outcome} action=${action} id="ingest-error" />
    </form>
  </section>`;
}
