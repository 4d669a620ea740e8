// The organization's members: their roles changed and members removed (by those allowed),
// and people invited with a role and teams; an invitation link that was not e-mailed is shown
// to pass on.
import { html, useState } from '../../lib/view.js';
import { gql } from '../../lib/graphql.js';
import { useSession, can } from '../../lib/session.js';
import { dateTime } from '../../lib/format.js';
import { useQuery, useAction, Outcome, Loading, CopyButton, SelectField, confirmed } from './common.js';

const MEMBERS = `query Members { organization { members { id email name role signsIn } teams { id name } } }`;
const INVITE = `mutation Invite($email: String!, $role: Role!, $teams: [ID!]!) {
  inviteMember(email: $email, role: $role, teams: $teams) { email role expiresAt emailed link }
}`;
const SET_ROLE = 'mutation SetRole($id: ID!, $role: Role!) { updateMemberRole(id: $id, role: $role) { id role } }';
const REMOVE = 'mutation Remove($id: ID!) { removeMember(id: $id) }';

const ROLES = [['MEMBER', 'Member'], ['ADMIN', 'Admin'], ['OWNER', 'Owner']];

/** The roles the viewer may hand out: only owners (org:admin) make owners. */
function grantable(session) {
  return can(session, 'org:admin') ? ROLES : ROLES.filter(([role]) => role !== 'OWNER');
}

function InviteForm({ teams, roles, onInvited }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('MEMBER');
  const [chosen, setChosen] = useState([]);
  const action = useAction();
  const submit = (event) => {
    event.preventDefault();
    action.run(() => gql(INVITE, { email: email.trim(), role, teams: chosen }), ({ inviteMember: sent }) => {
      onInvited(sent);
      setEmail('');
      return sent.emailed ? `Invitation e-mailed to ${sent.email}.` : `Invitation for ${sent.email} created.`;
    });
  };
  return html`<form class="settings-form" onSubmit=${submit} aria-labelledby="invite-heading">
    <h2 id="invite-heading">Invite someone</h2>
    <div class="grid-2">
      <label class="field"><span>Email</span>
        <input type="email" required value=${email} onInput=${(e) => setEmail(e.target.value)} /></label>
      <${SelectField} label="Role" value=${role} onChange=${(e) => setRole(e.target.value)} options=${roles} />
    </div>
    ${teams.length > 0 && html`<fieldset><legend>Teams</legend><div class="checks">
      ${teams.map((team) => html`<label class="check"><input type="checkbox" checked=${chosen.includes(team.id)}
        onChange=${(e) => setChosen(e.target.checked ? [...chosen, team.id] : chosen.filter((id) => id !== team.id))} />
        ${team.name}</label>`)}</div></fieldset>`}
    <button type="submit" class="primary" disabled=${action.busy}>Invite</button>
    <${Outcome} action=${action} />
  </form>`;
}

export function Members() {
  const session = useSession();
  const { data, error, reload } = useQuery(MEMBERS, {}, []);
  const [invitation, setInvitation] = useState(null);
  const action = useAction();
  if (!data) return html`<${Loading} error=${error} />`;
  const manage = can(session, 'member:write');
  const roles = grantable(session);
  const me = session.viewer.user?.email;
  const setRole = (member, role) => action.run(async () => {
    await gql(SET_ROLE, { id: member.id, role });
    await reload();
  }, `${member.email} is now ${role.toLowerCase()}.`);
  const remove = (member) => confirmed(`Remove ${member.email} from the organization? Their sessions end at once.`)
    && action.run(async () => {
      await gql(REMOVE, { id: member.id });
      await reload();
    }, `${member.email} removed.`);
  // Only owners change an owner's role; a row the viewer cannot change shows the role as text.
  const changeable = (member) => manage && member.email !== me && (member.role !== 'OWNER' || can(session, 'org:admin'));
  return html`
    <div class="table-wrap"><table>
      <caption class="visually-hidden">Members</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th>
        ${manage && html`<th scope="col"><span class="visually-hidden">Actions</span></th>`}</tr></thead>
      <tbody>${data.organization.members.map((member) => html`<tr>
        <td>${member.name}${!member.signsIn && html` <span class="badge" title="Receives alerts, does not sign in">contact</span>`}</td>
        <td>${member.email}</td>
        <td>${changeable(member)
          ? html`<select value=${member.role} disabled=${action.busy} aria-label=${`Access level of ${member.email}`}
              onChange=${(e) => setRole(member, e.target.value)}>
              ${(member.role === 'OWNER' ? ROLES : roles).map(([role, name]) => html`<option value=${role}>${name}</option>`)}
            </select>`
          : ROLES.find(([role]) => role === member.role)?.[1]}</td>
        ${manage && html`<td>${changeable(member) && html`<button type="button" class="danger" disabled=${action.busy}
          onClick=${() => remove(member)} aria-label=${`Remove ${member.email}`}>Remove</button>`}</td>`}
      </tr>`)}</tbody>
    </table></div>
    <${Outcome} action=${action} />
    ${manage
      ? html`<${InviteForm} teams=${data.organization.teams} roles=${roles} onInvited=${setInvitation} />`
      : html`<p class="muted">Your role cannot invite or change members.</p>`}
    ${invitation?.link && html`<div class="new-secret">
      <p>Pass this link on to ${invitation.email} (valid until ${dateTime(invitation.expiresAt)}):</p>
      <div class="row"><code class="secret-value" aria-label="Invitation link">${invitation.link}</code>
        <${CopyButton} text=${invitation.link} what="the link" /></div>
    </div>`}`;
}
