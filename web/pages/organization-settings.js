// The organization's settings: members, teams, integrations, API tokens and the audit log,
// one section at a time (`/settings/:section`) beside a navigation of the sections.
import { html } from '../lib/view.js';
import { useSession, can } from '../lib/session.js';
import { Members } from '../components/settings/members.js';
import { Teams } from '../components/settings/teams.js';
import { Integrations } from '../components/settings/integrations.js';
import { ApiTokens } from '../components/settings/api-tokens.js';
import { AuditLog } from '../components/settings/audit-log.js';

/** The sections; one with a `scope` is listed only to viewers holding it. */
const SECTIONS = [
  { id: 'members', name: 'Members', component: Members },
  { id: 'teams', name: 'Teams', component: Teams },
  { id: 'integrations', name: 'Integrations', component: Integrations },
  { id: 'tokens', name: 'API tokens', component: ApiTokens },
  { id: 'audit', name: 'Audit log', component: AuditLog, scope: 'org:write' },
];

export default function OrganizationSettingsPage({ section = 'members' }) {
  const session = useSession();
  const current = SECTIONS.find((s) => s.id === section);
  const listed = SECTIONS.filter((s) => !s.scope || can(session, s.scope));
  return html`<div class="settings-layout">
    <nav class="settings-nav" aria-label="Organization settings">
      <ul>${listed.map((s) => html`<li><a href=${s.id === 'members' ? '/settings' : `/settings/${s.id}`}
        aria-current=${s === current ? 'page' : undefined}>${s.name}</a></li>`)}</ul>
    </nav>
    <div class="settings-page">
      ${current
        ? html`<h1>${current.name}</h1><${current.component} key=${current.id} />`
        : html`<h1>Not found</h1><p>No settings section here. <a href="/settings">Members</a>.</p>`}
    </div>
  </div>`;
}
