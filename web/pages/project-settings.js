// A project's settings: its DSN keys and how to set up an SDK with them, alert rules, what
// ingest does with events (sampling, limits, retention, filters, scrubbing) and grouping rules.
// One query loads everything; each section saves on its own and reloads it.
import { html } from '../lib/view.js';
import { useSession, can } from '../lib/session.js';
import { useQuery, Loading } from '../components/settings/common.js';
import { ProjectKeys } from '../components/settings/project-keys.js';
import { SdkSetup } from '../components/settings/sdk-setup.js';
import { AlertRules } from '../components/settings/alert-rules.js';
import { IngestSettings } from '../components/settings/ingest-settings.js';
import { GroupingRules } from '../components/settings/grouping-rules.js';
import { ProjectTeams } from '../components/settings/project-teams.js';

const PROJECT_SETTINGS = `query ProjectSettings($id: ID!) {
  project(id: $id) {
    id name
    teams { id slug name }
    keys { id label publicKey dsn isActive rateLimitPerMinute createdAt }
    settings {
      sampleRate rateLimitPerMinute retentionDays scrubData sensitiveFields safeFields
      scrubIpAddresses
      inboundFilters { localhost browserExtensions legacyBrowsers webCrawlers errorMessages releases }
    }
    groupingSettings { config fingerprintRules stacktraceRules similarityEnabled similarityThreshold }
    alertRules {
      id name enabled actions actionIntervalMinutes
      triggers { kind count intervalMinutes }
      filters { levels environments releases tags { key value } }
    }
  }
  integrations { id name kind enabled }
}`;

export default function ProjectSettingsPage({ projectId }) {
  const session = useSession();
  const { data, error, reload } = useQuery(PROJECT_SETTINGS, { id: projectId }, [projectId]);
  if (!data) return html`<h1>Project settings</h1><${Loading} error=${error} />`;
  const project = data.project;
  if (!project) {
    return html`<h1>Project settings</h1>
      <p class="error" role="alert">This project does not exist or your teams do not see it.</p>`;
  }
  const saved = (renamed) => (renamed ? Promise.all([reload(), session.refresh()]) : reload());
  return html`<div class="settings-page">
    <h1>${project.name} <span class="muted">settings</span></h1>
    <${ProjectKeys} projectId=${projectId} keys=${project.keys} onChange=${reload} />
    <${SdkSetup} keys=${project.keys} />
    <${AlertRules} projectId=${project.id} rules=${project.alertRules}
      integrations=${data.integrations} onChange=${reload} />
    <${IngestSettings} project=${project} onSaved=${saved} />
    <${GroupingRules} projectId=${project.id} grouping=${project.groupingSettings} onSaved=${reload} />
    ${can(session, 'project:admin') && html`<${ProjectTeams} projectId=${project.id}
      given=${project.teams} onChange=${reload} />`}
  </div>`;
}
