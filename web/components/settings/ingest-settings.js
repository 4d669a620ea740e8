// What ingest does with the project's events: its name, retention, sampling, rate limit,
// inbound filters and scrubbing, saved together with updateProjectSettings.
import { html, useState } from '../../lib/view.js';
import { gql } from '../../lib/graphql.js';
import { useSession, can } from '../../lib/session.js';
import { useAction, Outcome, splitList, joinLines, setter } from './common.js';

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
          <label class="field"><span>Project name</span>
            <input required value=${values.name} onInput=${set('name')} /></label>
          <label class="field"><span>Retention (days)</span>
            <input type="number" min="1" value=${values.retentionDays} onInput=${set('retentionDays')}
              placeholder="Server default" aria-describedby="retention-help" />
            <small id="retention-help" class="muted">Empty: the server's default.</small></label>
          <label class="field"><span>Sample rate</span>
            <input type="number" min="0" max="1" step="0.01" required value=${values.sampleRate}
              onInput=${set('sampleRate')} aria-describedby="sample-help" />
            <small id="sample-help" class="muted">Share of events kept, 0 to 1 (1 keeps all).</small></label>
          <label class="field"><span>Rate limit per minute</span>
            <input type="number" min="1" value=${values.rateLimitPerMinute}
              onInput=${set('rateLimitPerMinute')} placeholder="Unlimited" aria-describedby="limit-help" />
            <small id="limit-help" class="muted">Empty: unlimited. Events past it get HTTP 429.</small></label>
        </div>
        <fieldset>
          <legend>Inbound filters (dropped events are counted as filtered)</legend>
          ${FILTERS.map(([key, name]) => html`<label class="check">
            <input type="checkbox" checked=${values[key]} onChange=${set(key)} /> ${name}</label>`)}
          <div class="grid-2">
            <label class="field"><span>Error messages to drop</span>
              <textarea class="mono" value=${values.errorMessages} onInput=${set('errorMessages')}
                placeholder="*ConnectionResetError*"></textarea>
              <small class="muted">One glob a line (<code>*</code> any text), matched against <code>Type: value</code> and the message.</small></label>
            <label class="field"><span>Releases to drop</span>
              <textarea class="mono" value=${values.releases} onInput=${set('releases')}
                placeholder="*-dev"></textarea>
              <small class="muted">One glob a line.</small></label>
          </div>
        </fieldset>
        <fieldset>
          <legend>Scrubbing</legend>
          <label class="check"><input type="checkbox" checked=${values.scrubData} onChange=${set('scrubData')} />
            Scrub data (passwords, tokens, cookies, card numbers…)</label>
          <label class="check"><input type="checkbox" checked=${values.scrubIpAddresses}
            onChange=${set('scrubIpAddresses')} /> Scrub IP addresses</label>
          <div class="grid-2">
            <label class="field"><span>Sensitive fields</span>
              <textarea class="mono" value=${values.sensitiveFields} onInput=${set('sensitiveFields')}></textarea>
              <small class="muted">Extra key names to scrub, one a line.</small></label>
            <label class="field"><span>Safe fields</span>
              <textarea class="mono" value=${values.safeFields} onInput=${set('safeFields')}></textarea>
              <small class="muted">Key names never scrubbed, one a line.</small></label>
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
