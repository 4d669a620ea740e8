// The issue page: what went wrong (an event with its exception chain, breadcrumbs, request,
// user and contexts) in the main column, and what to do about it (status, assignee, counts,
// tags) in a side column. One query loads the page; similar issues and integrations follow.
import { html, useEffect, useState, useRef } from '../lib/view.js';
import { gql } from '../lib/graphql.js';
import { useSession, can, useProjectOfPage } from '../lib/session.js';
import { count, timeAgo, dateTime } from '../lib/format.js';
import { StatusControls } from '../components/issue-status.js';
import { EventsChart } from '../components/chart.js';
import { TagDistributions } from '../components/tags.js';
import { ExceptionChain } from '../components/stacktrace.js';
import { Breadcrumbs } from '../components/breadcrumbs.js';
import { EventDetails } from '../components/event-details.js';
import { EventNav } from '../components/event-nav.js';
import { GroupingExplanation } from '../components/grouping.js';
import { SimilarIssues } from '../components/similar-issues.js';
import { Tickets } from '../components/tickets.js';
import { Activity } from '../components/activity.js';
import { useLiveIssue } from '../components/issue-live.js';

/** What every mutation of the page returns, so the page shows the new state at once. */
const ISSUE_HEAD = `fragment IssueHead on Issue {
  id title culprit level status count userCount firstSeen lastSeen firstRelease lastRelease mergedIntoId
  statusDetails { inRelease inNextRelease ignoredUntil ignoredUntilCount ignoredUntilUsers }
  assignee { id name email }
  activity { kind data actor createdAt }
  externalIssues { integrationId externalId url createdAt }
}`;

const EVENT_FIELDS = `fragment EventFields on Event {
  id eventId issueId timestamp level platform title message release environment
  tags { key value }
  exceptions { type value module mechanism { type handled synthetic }
    stacktrace { frames { filename absPath function module package lineno colno inApp
      contextLine preContext postContext vars
      sourcemap minified { filename function lineno colno } sourcemapError { kind message } } } }
  contexts
  user { id email username ipAddress data }
  request { method url queryString headers cookies data env }
  breadcrumbs { timestamp type category level message data }
  sdk { name version }
  attachments { filename contentType attachmentType size }
  userReports { name email comments createdAt }
}`;

const PAGE = `query IssuePage($id: ID!, $eventId: ID!, $selected: Boolean!, $since: DateTime!) {
  members { id name email }
  issue(id: $id) {
    ...IssueHead
    project { id name }
    tags(top: 5) { key totalCount distinctValues topValues { value count } }
    hourly: stats(interval: HOUR) { bucket count }
    daily: stats(from: $since, interval: DAY) { bucket count }
    grouping { hash explanation { config source rule fingerprint components { kind value contributes hint } } }
    events(first: 50) { edges { node { id eventId } } pageInfo { hasNextPage endCursor } totalCount }
    latestEvent @skip(if: $selected) { ...EventFields }
  }
  event(id: $eventId) @include(if: $selected) { ...EventFields }
}
${ISSUE_HEAD}
${EVENT_FIELDS}`;

const ONE_EVENT = `query IssueEvent($id: ID!, $eventId: ID!, $selected: Boolean!) {
  issue(id: $id) { latestEvent @skip(if: $selected) { ...EventFields } }
  event(id: $eventId) @include(if: $selected) { ...EventFields }
}
${EVENT_FIELDS}`;

const SIMILAR = `query Similar($id: ID!) { issue(id: $id) { similarIssues { issue { id title count } distance } } }`;
const INTEGRATIONS = `query Integrations { integrations { id name kind enabled } }`;
const ASSIGN = `mutation Assign($id: ID!, $memberId: ID) { assignIssue(id: $id, memberId: $memberId) { ...IssueHead } }`;

function fourteenDaysAgo() {
  const day = new Date();
  day.setUTCHours(0, 0, 0, 0);
  day.setUTCDate(day.getUTCDate() - 13);
  return day.toISOString();
}

function variables(issueId, eventId) {
  return { id: issueId, eventId: eventId || '0', selected: !!eventId };
}

function When({ iso, release }) {
  return html`<dd><time datetime=${iso} title=${dateTime(iso)}>${timeAgo(iso)}</time>
    ${release && html`<span class="muted"> in </span><span class="mono release">${release}</span>`}</dd>`;
}

function AssigneeSelect({ issue, members, run, canWrite }) {
  const [error, setError] = useState(null);
  const change = (event) => {
    setError(null);
    run(ASSIGN, { id: issue.id, memberId: event.target.value || null }).catch((failure) => setError(failure.message));
  };
  return html`<div class="field assignee"><label for="issue-assignee">Assignee</label>
    <select id="issue-assignee" value=${issue.assignee?.id || ''} onChange=${change} disabled=${!canWrite}>
      <option value="">Unassigned</option>
      ${members.map((m) => html`<option value=${m.id}>${m.name || m.email}</option>`)}
    </select>
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </div>`;
}

function Side({ issue, members, run, canWrite }) {
  return html`<aside class="issue-side" aria-label="Issue details">
    <${StatusControls} issue=${issue} run=${run} canWrite=${canWrite} />
    <${AssigneeSelect} issue=${issue} members=${members} run=${run} canWrite=${canWrite} />
    <dl class="issue-facts">
      <div><dt>Events</dt><dd>${count(issue.count)}</dd></div>
      <div><dt>Users</dt><dd>${count(issue.userCount)}</dd></div>
      <div><dt>First seen</dt><${When} iso=${issue.firstSeen} release=${issue.firstRelease} /></div>
      <div><dt>Last seen</dt><${When} iso=${issue.lastSeen} release=${issue.lastRelease} /></div>
    </dl>
  </aside>`;
}

function EventView({ issue, event, eventId, firstPage }) {
  if (!event && eventId) {
    return html`<p class="notice-inline">No event <code>${eventId}</code> was found.${' '}
      <a href=${`/issues/${issue.id}`}>Show the latest event</a>.</p>`;
  }
  if (!event) return html`<p class="muted">This issue has no stored event (it may have been deleted by retention).</p>`;
  return html`<section class="event" aria-labelledby="event-title">
    <div class="event-head">
      <h2 id="event-title">Event <span class="mono event-id">${event.eventId.slice(0, 8)}</span></h2>
      <span class="muted small"><time datetime=${event.timestamp} title=${dateTime(event.timestamp)}>${timeAgo(event.timestamp)}</time>
        ${event.release && html` · <span class="mono">${event.release}</span>`}
        ${event.environment && html` · ${event.environment}`}</span>
      <${EventNav} issueId=${issue.id} firstPage=${firstPage} event=${event} />
    </div>
    ${event.issueId !== issue.id && html`<p class="notice-inline">This event now belongs to${' '}
      <a href=${`/issues/${event.issueId}/events/${event.eventId}`}>issue #${event.issueId}</a>.</p>`}
    ${event.exceptions.length > 0
      ? html`<section aria-labelledby="exception-heading"><h2 id="exception-heading" class="visually-hidden">Exception</h2>
          <${ExceptionChain} exceptions=${event.exceptions} /></section>`
      : html`<pre class="event-message">${event.message || event.title}</pre>`}
    ${event.breadcrumbs.length > 0 && html`<section class="event-section" aria-labelledby="breadcrumbs-title">
      <h2 id="breadcrumbs-title">Breadcrumbs</h2><${Breadcrumbs} breadcrumbs=${event.breadcrumbs} /></section>`}
    <${EventDetails} event=${event} />
  </section>`;
}

/** The page's data: `{ issue, members, event }`, reloaded when the issue changes; a new event id only fetches that event. */
function useIssuePage(issueId, eventId) {
  const [state, setState] = useState({ data: null, event: null, error: null });
  const [version, setVersion] = useState(0);
  const loadedIssue = useRef(null);
  useEffect(() => {
    let current = true;
    const fail = (error) => current && setState((s) => ({ ...s, error }));
    if (loadedIssue.current === issueId) {
      gql(ONE_EVENT, variables(issueId, eventId)).then((data) => {
        if (current) setState((s) => ({ ...s, event: data.event || data.issue?.latestEvent || null, error: null }));
      }, fail);
    } else {
      const reloading = state.data?.issue?.id === issueId;
      if (!reloading) setState({ data: null, event: null, error: null });
      gql(PAGE, { ...variables(issueId, eventId), since: fourteenDaysAgo() }).then((data) => {
        if (!current) return;
        loadedIssue.current = issueId;
        setState({ data, event: data.event || data.issue?.latestEvent || null, error: null });
      }, fail);
    }
    return () => { current = false; };
  }, [issueId, eventId, version]);
  const setIssue = (fields) => setState((s) => ({ ...s, data: { ...s.data, issue: { ...s.data.issue, ...fields } } }));
  /** Loads everything again (after a merge moved events, tags and counts here). */
  const reload = () => {
    loadedIssue.current = null;
    setVersion((v) => v + 1);
  };
  return { ...state, setIssue, reload };
}

/** Similar issues and integrations, after the page has drawn; each may fail on its own. */
function useExtras(issueId) {
  const [similar, setSimilar] = useState(null);
  const [integrations, setIntegrations] = useState(null);
  useEffect(() => {
    let current = true;
    const keep = (set) => (value) => current && set(value);
    setSimilar(null);
    gql(SIMILAR, { id: issueId }).then((d) => d.issue?.similarIssues || [], () => []).then(keep(setSimilar));
    gql(INTEGRATIONS).then((d) => d.integrations, () => []).then(keep(setIntegrations));
    return () => { current = false; };
  }, [issueId]);
  return { similar, setSimilar, integrations };
}

export default function IssuePage({ issueId, eventId }) {
  const session = useSession();
  const canWrite = can(session, 'event:write');
  const { data, event, error, setIssue, reload } = useIssuePage(issueId, eventId);
  const { similar, setSimilar, integrations } = useExtras(issueId);
  useProjectOfPage(data?.issue?.project?.id);
  useLiveIssue({
    projectId: data?.issue?.project?.id,
    issueId,
    fragment: ISSUE_HEAD,
    fragmentName: 'IssueHead',
    onIssue: setIssue,
  });
  useEffect(() => {
    if (data?.issue) document.title = `${data.issue.title} · Larder`;
  }, [data?.issue?.title]);
  if (error) return html`<p class="error" role="alert">${error.message}</p>`;
  if (!data) return html`<p class="loading" role="status">Loading the issue…</p>`;
  const { issue, members } = data;
  if (!issue) return html`<h1>Issue not found</h1><p>It does not exist or you cannot see its project. <a href="/">Go to your issues</a>.</p>`;
  const run = async (mutation, vars) => {
    const result = await gql(`${mutation}\n${ISSUE_HEAD}`, vars);
    setIssue(Object.values(result)[0]);
  };
  const mergedAway = issue.status === 'MERGED';
  const merged = (id) => {
    setSimilar((list) => list.filter((s) => s.issue.id !== id));
    reload();
  };
  return html`<article class="issue-page">
    <header class="issue-header">
      ${issue.project && html`<p class="crumbs small"><a href=${`/projects/${issue.project.id}/issues`}>${issue.project.name}</a>
        <span class="muted"> / Issue #${issue.id}</span></p>`}
      <h1 class="issue-heading">${issue.title}</h1>
      <p class="issue-sub">
        <span class=${`badge level-${issue.level.toLowerCase()}`}>${issue.level.toLowerCase()}</span>
        ${issue.culprit && html`<span class="mono culprit">${issue.culprit}</span>`}
      </p>
      ${issue.status === 'MERGED' && issue.mergedIntoId && html`<p class="notice-inline">This issue was merged into${' '}
        <a href=${`/issues/${issue.mergedIntoId}`}>issue #${issue.mergedIntoId}</a>; its events are there now.</p>`}
    </header>
    <div class="issue-layout">
      <div class="issue-main">
        <${EventsChart} stats=${{ hourly: issue.hourly, daily: issue.daily }} />
        ${!mergedAway && html`<${EventView} issue=${issue} event=${event} eventId=${eventId} firstPage=${issue.events} />`}
        <${GroupingExplanation} grouping=${issue.grouping} />
        ${!mergedAway && html`<${SimilarIssues} similar=${similar} issueId=${issue.id} run=${run} canWrite=${canWrite} onMerged=${merged} />`}
        <${Tickets} issue=${issue} integrations=${integrations} canWrite=${canWrite && !mergedAway}
          onTickets=${(externalIssues) => setIssue({ externalIssues })} />
        <${Activity} issue=${issue} run=${run} canWrite=${canWrite} />
      </div>
      <${Side} issue=${issue} members=${members} run=${run} canWrite=${canWrite && !mergedAway} />
      <div class="issue-tags"><${TagDistributions} tags=${issue.tags} /></div>
    </div>
  </article>`;
}
