// API tokens: created with a name, Sentry scopes (never beyond the creator's), personal or for
// the organization, and an expiry; the secret shown this once; listed and revoked by admins.
import { html, useState } from '../../lib/view.js';
import { gql } from '../../lib/graphql.js';
import { useSession, can } from '../../lib/session.js';
import { dateTime, timeAgo } from '../../lib/format.js';
import { useQuery, useAction, Outcome, Loading, CopyButton, SelectField, problemText, confirmed } from './common.js';

const TOKEN_FIELDS = 'id name prefix scopes personal createdAt expiresAt revokedAt';
const TOKENS = `query Tokens { organization { apiTokens { ${TOKEN_FIELDS} } } }`;
const CREATE = `mutation CreateToken($name: String!, $scopes: [String!]!, $personal: Boolean!, $expiresAt: DateTime) {
  createApiToken(name: $name, scopes: $scopes, personal: $personal, expiresAt: $expiresAt) {
    token apiToken { ${TOKEN_FIELDS} }
  }
}`;
const REVOKE = 'mutation Revoke($id: ID!) { revokeApiToken(id: $id) }';

/** Sentry's scope names, as Larder knows them. */
const SCOPES = [
  'org:read', 'org:write', 'org:admin', 'project:read', 'project:write', 'project:admin',
  'project:releases', 'event:read', 'event:write', 'event:admin', 'member:read', 'member:write',
  'alerts:read', 'alerts:write',
];
const EXPIRIES = [['', 'Never'], ['30', 'In 30 days'], ['90', 'In 90 days'], ['365', 'In a year']];

function expiryOf(days) {
  return days ? new Date(Date.now() + Number(days) * 86400000).toISOString() : null;
}

function CreateToken({ onCreated }) {
  const session = useSession();
  const held = new Set(session.viewer.scopes);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState([]);
  const [personal, setPersonal] = useState(true);
  const [expires, setExpires] = useState('90');
  const [created, setCreated] = useState(null);
  const action = useAction();
  const submit = (event) => {
    event.preventDefault();
    action.run(async () => {
      if (!scopes.length) throw new Error('Choose at least one scope.');
      const result = await gql(CREATE, { name: name.trim(), scopes, personal, expiresAt: expiryOf(expires) });
      setCreated(result.createApiToken);
      setName('');
      setScopes([]);
      await onCreated();
    }, `Token ${name.trim()} created.`);
  };
  return html`<form class="settings-form" onSubmit=${submit} aria-labelledby="new-token-heading">
    <h2 id="new-token-heading">New token</h2>
    <div class="grid-2">
      <label class="field"><span>Token name</span>
        <input required value=${name} onInput=${(e) => setName(e.target.value)} placeholder="CI releases" /></label>
      <${SelectField} label="Expires" value=${expires} onChange=${(e) => setExpires(e.target.value)} options=${EXPIRIES} />
    </div>
    <fieldset><legend>Scopes</legend>
      <div class="checks scopes">${SCOPES.map((scope) => html`<label class="check">
        <input type="checkbox" disabled=${!held.has(scope)} checked=${scopes.includes(scope)}
          onChange=${(e) => setScopes(e.target.checked ? [...scopes, scope] : scopes.filter((s) => s !== scope))} />
        <code>${scope}</code></label>`)}</div>
      <small class="muted">A token never holds more than its creator: scopes your role lacks cannot be chosen.</small>
    </fieldset>
    <fieldset><legend>Acts as</legend>
      <label class="check"><input type="radio" name="token-kind" checked=${personal} onChange=${() => setPersonal(true)} />
        You (personal: never beyond your role)</label>
      <label class="check"><input type="radio" name="token-kind" checked=${!personal} disabled=${!can(session, 'org:write')}
        onChange=${() => setPersonal(false)} /> The organization (admins)</label>
    </fieldset>
    <button type="submit" class="primary" disabled=${action.busy}>Create token</button>
    <${Outcome} action=${action} />
    ${created && html`<div class="new-secret" role="group" aria-labelledby="new-token-note">
      <p id="new-token-note"><strong>Copy the token ${created.apiToken.name} now: it is shown only once.</strong></p>
      <div class="row"><code class="secret-value" aria-label="New API token">${created.token}</code>
        <${CopyButton} text=${created.token} what="the token" /></div>
    </div>`}
  </form>`;
}

function TokenList({ tokens, onChange }) {
  const action = useAction();
  const revoke = (token) => confirmed(`Revoke the token ${token.name}? It stops working at once.`) && action.run(async () => {
    await gql(REVOKE, { id: token.id });
    await onChange();
  }, `Token ${token.name} revoked.`);
  if (!tokens.length) return html`<p>No tokens yet.</p>`;
  return html`<div class="table-wrap"><table>
    <caption class="visually-hidden">API tokens</caption>
    <thead><tr><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">Acts as</th>
      <th scope="col">Created</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">State</span></th></tr></thead>
    <tbody>${tokens.map((token) => html`<tr>
      <td><span id=${`token-${token.id}`}>${token.name}</span> <code class="muted">${token.prefix}…</code></td>
      <td>${token.scopes.map((s) => html`<code class="scope">${s}</code> `)}</td>
      <td>${token.personal ? 'Its creator' : 'Organization'}</td>
      <td title=${dateTime(token.createdAt)}>${timeAgo(token.createdAt)}</td>
      <td>${token.expiresAt ? html`<span title=${dateTime(token.expiresAt)}>${timeAgo(token.expiresAt)}</span>` : 'Never'}</td>
      <td>${token.revokedAt
        ? html`<span class="badge" title=${dateTime(token.revokedAt)}>Revoked</span>`
        : html`<button type="button" class="danger" disabled=${action.busy} onClick=${() => revoke(token)}
            aria-describedby=${`token-${token.id}`}>Revoke</button>`}</td>
    </tr>`)}</tbody>
  </table></div>
  <${Outcome} action=${action} />`;
}

/** The organization's tokens (listing them takes org:write) and the form to make one. */
function ListedTokens() {
  const { data, error, reload } = useQuery(TOKENS, {}, []);
  return html`
    ${data ? html`<${TokenList} tokens=${data.organization.apiTokens} onChange=${reload} />` : html`<${Loading} error=${error} />`}
    ${error && data && html`<p class="error" role="alert">${problemText(error)}</p>`}
    <${CreateToken} onCreated=${reload} />`;
}

export function ApiTokens() {
  const session = useSession();
  if (can(session, 'org:write')) return html`<${ListedTokens} />`;
  return html`<p class="muted">Only owners and admins see the organization's tokens. You can still create a personal token.</p>
    <${CreateToken} onCreated=${() => {}} />`;
}
