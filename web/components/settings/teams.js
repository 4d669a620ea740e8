// The organization's teams: created and deleted, and who is in each. A project given to teams
// is seen by their members only.
import { html, useState } from '../../lib/view.js';
import { gql } from '../../lib/graphql.js';
import { useSession, can } from '../../lib/session.js';
import { useQuery, useAction, Outcome, Loading, TextField, confirmed } from './common.js';

const TEAMS = `query Teams { organization { teams { id slug name members { id } } members { id email name } } }`;
const CREATE = 'mutation CreateTeam($slug: String!, $name: String) { createTeam(slug: $slug, name: $name) { id } }';
const DELETE = 'mutation DeleteTeam($id: ID!) { deleteTeam(id: $id) }';
const MEMBERSHIP = `mutation Membership($teamId: ID!, $memberId: ID!, $member: Boolean!) {
  setTeamMembership(teamId: $teamId, memberId: $memberId, member: $member) { id }
}`;

function CreateTeam({ onCreated }) {
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const action = useAction();
  const submit = (event) => {
    event.preventDefault();
    action.run(async () => {
      await gql(CREATE, { slug: slug.trim(), name: name.trim() || null });
      await onCreated();
      setSlug('');
      setName('');
    }, `Team ${slug.trim()} created.`);
  };
  return html`<form class="settings-form" onSubmit=${submit} aria-labelledby="new-team-heading">
    <h2 id="new-team-heading">New team</h2>
    <div class="grid-2">
      <${TextField} label="Team slug" required pattern="[a-z0-9][a-z0-9_\\-]*" value=${slug}
        onInput=${(e) => setSlug(e.target.value)} placeholder="backend" help="Lowercase letters, digits, - and _." />
      <label class="field"><span>Team name</span>
        <input value=${name} onInput=${(e) => setName(e.target.value)} placeholder="Backend" /></label>
    </div>
    <button type="submit" class="primary" disabled=${action.busy}>Create team</button>
    <${Outcome} action=${action} />
  </form>`;
}

export function Teams() {
  const session = useSession();
  const manage = can(session, 'org:write');
  const { data, error, reload } = useQuery(TEAMS, {}, []);
  const action = useAction();
  // Memberships being changed, shown as asked until the reloaded teams say what they are.
  const [pending, setPending] = useState({});
  if (!data) return html`<${Loading} error=${error} />`;
  const { teams, members } = data.organization;
  const setMember = async (team, member, on) => {
    const key = `${team.id}:${member.id}`;
    setPending((old) => ({ ...old, [key]: on }));
    await action.run(async () => {
      await gql(MEMBERSHIP, { teamId: team.id, memberId: member.id, member: on });
      await reload();
    }, `${member.email} ${on ? 'added to' : 'taken out of'} ${team.name}.`);
    setPending(({ [key]: _, ...rest }) => rest);
  };
  const remove = (team) => confirmed(`Delete the team ${team.name}? Its projects become visible to every member unless other teams have them.`)
    && action.run(async () => {
      await gql(DELETE, { id: team.id });
      await reload();
    }, `Team ${team.name} deleted.`);
  return html`
    <p class="muted">A project given to teams is seen by their members only; a project without teams by everyone.</p>
    ${teams.length === 0 && html`<p>No teams yet.</p>`}
    <ul class="rule-list">${teams.map((team) => {
      const inTeam = new Set(team.members.map((m) => m.id));
      return html`<li class="rule">
        <div class="row"><strong>${team.name}</strong> <span class="muted">${team.slug}</span>
          <span class="badge">${team.members.length} ${team.members.length === 1 ? 'member' : 'members'}</span>
          ${manage && html`<button type="button" class="danger" disabled=${action.busy} onClick=${() => remove(team)}
            aria-label=${`Delete team ${team.name}`}>Delete</button>`}</div>
        <details><summary>Members of ${team.name}</summary>
          <fieldset class="plain" disabled=${!manage} aria-label=${`Members of ${team.name}`}>
            <div class="checks">${members.map((member) => html`<label class="check">
              <input type="checkbox" checked=${pending[`${team.id}:${member.id}`] ?? inTeam.has(member.id)}
                onChange=${(e) => setMember(team, member, e.target.checked)} />${member.name || member.email}</label>`)}</div>
          </fieldset></details>
      </li>`;
    })}</ul>
    <${Outcome} action=${action} />
    ${manage ? html`<${CreateTeam} onCreated=${reload} />` : html`<p class="muted">Your role cannot change teams.</p>`}`;
}
