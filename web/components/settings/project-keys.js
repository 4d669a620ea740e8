// The project's DSN keys: each DSN with a copy button, revoked or re-enabled in place.
import { html } from '../../lib/view.js';
import { gql } from '../../lib/graphql.js';
import { useSession, can } from '../../lib/session.js';
import { dateTime, timeAgo } from '../../lib/format.js';
import { useAction, Outcome, CopyButton } from './common.js';

const UPDATE_KEY = `mutation UpdateKey($id: ID!, $isActive: Boolean) {
  updateProjectKey(id: $id, isActive: $isActive)
}`;

export function ProjectKeys({ keys, onChange }) {
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
      </li>`)}
    </ul>
    <${Outcome} action=${action} />
  </section>`;
}
