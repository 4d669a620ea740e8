// The organization's notification channels: each with its settings (secrets only as set or not),
// a test send, enable/disable, edit and delete; and new ones created.
import { html, useState } from '../../lib/view.js';
import { gql } from '../../lib/graphql.js';
import { useSession, can } from '../../lib/session.js';
import { useQuery, useAction, Outcome, Loading, confirmed } from './common.js';
import { CONFIG_FIELDS, kindOf, shownValue } from './integration-kinds.js';
import { IntegrationForm } from './integration-form.js';

const INTEGRATIONS = `query Integrations { integrations { id name kind enabled createdAt config { ${CONFIG_FIELDS} } } }`;
const CREATE = 'mutation Create($name: String!, $config: JSON!) { createIntegration(name: $name, config: $config) { id } }';
const UPDATE = `mutation Update($id: ID!, $name: String, $config: JSON, $enabled: Boolean) {
  updateIntegration(id: $id, name: $name, config: $config, enabled: $enabled) { id }
}`;
const DELETE = 'mutation Delete($id: ID!) { deleteIntegration(id: $id) }';
const TEST = `mutation Test($id: ID!) { testIntegration(id: $id) { ok externalId externalUrl error retryable } }`;

function Settings({ integration }) {
  const kind = kindOf(integration.kind);
  if (!kind || !integration.config) return html`<p class="muted">The stored settings cannot be read.</p>`;
  const shown = kind.fields.map((f) => [f.label, shownValue(integration.config, f)]).filter(([, v]) => v != null);
  return html`<dl class="integration-config">${shown.map(([label, value]) => html`<dt>${label}</dt><dd>${value}</dd>`)}</dl>`;
}

/** The sentence a test send ends with; a failure is thrown so it shows as an error. */
function testOutcome(integration, result) {
  if (!result.ok) {
    throw new Error(`Test of ${integration.name} failed: ${result.error || 'no reason given'}${result.retryable ? ' (a real alert would be retried)' : ''}.`);
  }
  const where = result.externalUrl || result.externalId;
  return `Test of ${integration.name} delivered${where ? `: ${where}` : ''}.`;
}

export function Integrations() {
  const session = useSession();
  const manage = can(session, 'org:write');
  const { data, error, reload } = useQuery(INTEGRATIONS, {}, []);
  const [editing, setEditing] = useState(null); // the id of the integration being edited
  const action = useAction();
  if (!data) return html`<${Loading} error=${error} />`;
  const saved = async (text) => {
    await reload();
    setEditing(null);
    action.run(async () => {}, text);
  };
  const create = async ({ name, config }) => {
    await gql(CREATE, { name, config });
    await saved(`Integration ${name} created.`);
  };
  const update = (integration) => async (changes) => {
    await gql(UPDATE, { id: integration.id, ...changes });
    await saved(`Integration ${changes.name} saved.`);
  };
  const test = (integration) => action.run(
    async () => testOutcome(integration, (await gql(TEST, { id: integration.id })).testIntegration),
    (text) => text,
  );
  const setEnabled = (integration) => action.run(async () => {
    await gql(UPDATE, { id: integration.id, enabled: !integration.enabled });
    await reload();
  }, `${integration.name} ${integration.enabled ? 'disabled' : 'enabled'}.`);
  const remove = (integration) => confirmed(`Delete the integration ${integration.name}? Alert rules stop notifying it.`)
    && action.run(async () => {
      await gql(DELETE, { id: integration.id });
      await reload();
    }, `Integration ${integration.name} deleted.`);
  return html`
    <p class="muted">Where alert rules send notifications. Secrets are never shown again once saved.</p>
    ${data.integrations.length === 0 && html`<p>No integrations yet.</p>`}
    <ul class="rule-list">${data.integrations.map((integration) => html`<li class="rule">
      ${editing === integration.id
        ? html`<${IntegrationForm} integration=${integration} onSave=${update(integration)} onCancel=${() => setEditing(null)} />`
        : html`<div class="row"><strong id=${`integration-${integration.id}`}>${integration.name}</strong>
            <span class="badge">${kindOf(integration.kind)?.name || integration.kind}</span>
            <span class="badge">${integration.enabled ? 'Enabled' : 'Disabled'}</span></div>
          <${Settings} integration=${integration} />
          ${manage && html`<div class="row">
            <button type="button" disabled=${action.busy} onClick=${() => test(integration)}
              aria-describedby=${`integration-${integration.id}`}>Send test</button>
            <button type="button" disabled=${action.busy} onClick=${() => setEnabled(integration)}
              aria-label=${`${integration.enabled ? 'Disable' : 'Enable'} ${integration.name}`}>${integration.enabled ? 'Disable' : 'Enable'}</button>
            <button type="button" onClick=${() => setEditing(integration.id)} aria-label=${`Edit ${integration.name}`}>Edit</button>
            <button type="button" class="danger" disabled=${action.busy} onClick=${() => remove(integration)}
              aria-label=${`Delete ${integration.name}`}>Delete</button>
          </div>`}`}
    </li>`)}</ul>
    <${Outcome} action=${action} />
    ${manage
      ? html`<h2>New integration</h2><${IntegrationForm} key=${data.integrations.length} onSave=${create} />`
      : html`<p class="muted">Your role cannot change integrations.</p>`}`;
}
