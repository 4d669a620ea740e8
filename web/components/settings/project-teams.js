// Who sees the project: the teams it is given to. A project given to no team is seen by every
// member of the organization; owners and admins see every project.
import { html, useState } from '../../lib/view.js';
import { gql } from '../../lib/graphql.js';
import { useQuery, useAction, Outcome, Loading } from './common.js';

const TEAMS = `query Teams { organization { teams { id slug name } } }`;

const SET_TEAMS = `mutation SetProjectTeams($projectId: ID!, $teams: [ID!]!) {
  setProjectTeams(projectId: $projectId, teams: $teams) { id }
}`;

export function ProjectTeams({ projectId, given, onChange }) {
  const { data, error } = useQuery(TEAMS, {}, []);
  const [chosen, setChosen] = useState(() => new Set(given.map((team) => team.id)));
  const action = useAction();
  const toggle = (id) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };
  const save = (event) => {
    event.preventDefault();
    action.run(async () => {
      await gql(SET_TEAMS, { projectId, teams: [...chosen] });
      await onChange();
    }, chosen.size ? 'Only the chosen teams see the project now.'
      : 'Every member of the organization sees the project now.');
  };
  return html`<section class="settings-section" aria-labelledby="visibility-heading">
    <h2 id="visibility-heading">Visibility</h2>
    <p class="muted">Members see the projects of their teams, and projects given to no team.</p>
    ${!data ? html`<${Loading} error=${error} />` : data.organization.teams.length === 0
      ? html`<p>The organization has no teams yet: every member sees this project. Teams are made in
          the <a href="/settings/teams">organization settings</a>.</p>`
      : html`<form onSubmit=${save}>
          <fieldset>
            <legend>Teams that see the project</legend>
            ${data.organization.teams.map((team) => html`<label class="check">
              <input type="checkbox" checked=${chosen.has(team.id)} onChange=${() => toggle(team.id)} />
              ${team.name || team.slug}</label>`)}
          </fieldset>
          <button type="submit" class="primary" disabled=${action.busy}>Save visibility</button>
        </form>`}
    <${Outcome} action=${action} />
  </section>`;
}
