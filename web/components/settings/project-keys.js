// The project's DSN keys: each DSN with a copy button, revoked or re-enabled in place, with its
// own rate limit; new keys for another app or to replace one about to be revoked.
import { html, useState } from '../../lib/view.js';
import { gql } from '../../lib/graphql.js';
import { useSession, can } from '../../lib/session.js';
import { dateTime, timeAgo } from '../../lib/format.js';
import { useAction, Outcome, CopyButton } from './common.js';

const UPDATE_KEY = `mutation UpdateKey($id: ID!, $isActive: Boolean, $rateLimitPerMinute: Int) {
  updateProjectKey(id: $id, isActive: $isActive, rateLimitPerMinute: $rateLimitPerMinute)
}`;

const CREATE_KEY = `mutation CreateKey($projectId: ID!, $label: String!) {
  createProjectKey(projectId: $projectId, label: $label) { id }
}`;

/** The key's own limit: a number of events per minute, empty for none. */
function RateLimit({ projectKey, action, onChange }) {
  const [limit, setLimit] = useState(projectKey.rateLimitPerMinute ?? '');
  const save = (event) => {
    event.preventDefault();
    const value = limit === '' ? 0 : Number(limit);
    action.run(async () => {
      await gql(UPDATE_KEY, { id: projectKey.id, rateLimitPerMinute: value });
      await onChange();
    }, value ? `Key "${projectKey.label}" takes at most ${value} events a minute.`
      : `Key "${projectKey.label}" has no limit of its own.`);
  };
  return html`<form class="row key-limit" onSubmit=${save}>
    <label for=${`limit-${projectKey.id}`}>Rate limit of ${projectKey.label} (events per minute)</label>
    <input id=${`limit-${projectKey.id}`} type="number" min="0" step="1" inputmode="numeric"
      placeholder="No limit" value=${limit} onInput=${(e) => setLimit(e.target.value)} />
    <button type="submit" disabled=${action.busy}
      aria-label=${`Save limit of ${projectKey.label}`}>Save limit</button>
  </form>`;
}

/** A new key, named for where it is used. */
function NewKey({ projectId, action, onChange }) {
  const [label, setLabel] = useState('');
  const create = (event) => {
    event.preventDefault();
    action.run(async () => {
      await gql(CREATE_KEY, { projectId, label });
      setLabel('');
      await onChange();
    }, `Key "${label}" created.`);
  };
  return html`<form class="row new-key" onSubmit=${create}>
    <label for="new-key-label">Key label</label>
    <input id="new-key-label" required maxlength="64" placeholder="e.g. Mobile app"
      value=${label} onInput=${(e) => setLabel(e.target.value)} />
    <button type="submit" disabled=${action.busy}>Create key</button>
  </form>`;
}

export function ProjectKeys({ projectId, keys, onChange }) {
  const session = useSession();
  const editable = can(session, 'project:write');
  const action = useAction();
  const toggle = (key) => action.run(async () => {
    await gql(UPDATE_KEY, { id: key.id, isActive: !key.isActive });
    await onChange();
  }, `Key "${key.label}" ${key.isActive ? 'revoked: it stops working within seconds' : 'reactivated'}.`);
  return html`<section class="settings-section" aria-labelledby="keys-heading">
    <h2 id="keys-heading">Client keys (DSN)</h2>
    <p class="muted">SDKs send events to the DSN. It is not a secret: it ships inside every app.</p>
    <ul class="key-list">
      ${keys.map((key) => html`<li class=${key.isActive ? 'key' : 'key revoked'}>
        <div class="row">
          <strong>${key.label}</strong>
          <span class="badge">${key.isActive ? 'Active' : 'Revoked'}</span>
          <span class="muted" title=${dateTime(key.createdAt)}>created ${timeAgo(key.createdAt)}</span>
        </div>
        <div class="row key-dsn">
          <code>${key.dsn}</code>
          <${CopyButton} text=${key.dsn} what=${`DSN of ${key.label}`} />
          ${editable && html`<button type="button" class=${key.isActive ? 'danger' : ''}
            disabled=${action.busy} onClick=${() => toggle(key)}
            aria-label=${`${key.isActive ? 'Revoke' : 'Reactivate'} key ${key.label}`}>
            ${key.isActive ? 'Revoke' : 'Reactivate'}</button>`}
        </div>
        ${editable && html`<${RateLimit} projectKey=${key} action=${action} onChange=${onChange} />`}
      </li>`)}
    </ul>
    ${editable && html`<${NewKey} projectId=${projectId} action=${action} onChange=${onChange} />`}
    <${Outcome} action=${action} />
  </section>`;
}
