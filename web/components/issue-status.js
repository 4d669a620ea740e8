// The issue's workflow state and the controls that change it: Resolve (now, in the next
// release, in a named release), Ignore (for good, or until a time, event count or user count
// is reached) and Unresolve, with what the current status is waiting for written out.
import { html, useState, useEffect } from '../lib/view.js';
import { Popover } from './popover.js';
import { gql } from '../lib/graphql.js';
import { dateTime, timeAgo } from '../lib/format.js';

const RESOLVE = `mutation Resolve($id: ID!, $inRelease: String, $inNextRelease: Boolean!) {
  resolveIssue(id: $id, inRelease: $inRelease, inNextRelease: $inNextRelease) { ...IssueHead } }`;
const IGNORE = `mutation Ignore($id: ID!, $until: IgnoreInput!) {
  ignoreIssue(id: $id, until: $until) { ...IssueHead } }`;
const RELEASES = `query Releases($id: ID!) { project(id: $id) { releases { name } } }`;
const UNRESOLVE = `mutation Unresolve($id: ID!) {
  updateIssue(id: $id, status: UNRESOLVED) { ...IssueHead } }`;

/** The status as a sentence, with its conditions. */
export function statusText(issue) {
  const d = issue.statusDetails;
  switch (issue.status) {
    case 'RESOLVED':
      if (d.inNextRelease) return d.inRelease ? `Resolved in the next release (after ${d.inRelease})` : 'Resolved in the next release';
      return d.inRelease ? `Resolved in ${d.inRelease}` : 'Resolved';
    case 'IGNORED': {
      const until = [];
      if (d.ignoredUntil) until.push(`until ${dateTime(d.ignoredUntil)} (${timeAgo(d.ignoredUntil)})`);
      if (d.ignoredUntilCount != null) until.push(`until it reaches ${d.ignoredUntilCount} events`);
      if (d.ignoredUntilUsers != null) until.push(`until ${d.ignoredUntilUsers} users are affected`);
      return until.length ? `Ignored ${until.join(' or ')}` : 'Ignored until changed by hand';
    }
    case 'MERGED': return 'Merged into another issue';
    default: return 'Unresolved';
  }
}

/** The project's releases, newest first, to pick from (typing any name works too). */
function useReleases(projectId) {
  const [releases, setReleases] = useState([]);
  useEffect(() => {
    let current = true;
    if (projectId) {
      gql(RELEASES, { id: projectId }).then((d) => current && setReleases(d.project?.releases || []), () => {});
    }
    return () => { current = false; };
  }, [projectId]);
  return releases;
}

function ResolveOptions({ act, close, projectId }) {
  const [release, setRelease] = useState('');
  const releases = useReleases(projectId);
  const inRelease = (event) => {
    event.preventDefault();
    if (release.trim()) act(RESOLVE, { inRelease: release.trim(), inNextRelease: false }).then(close);
  };
  return html`
    <button type="button" class="menu-item" onClick=${() => act(RESOLVE, { inRelease: null, inNextRelease: true }).then(close)}>In next release</button>
    <form class="menu-form" onSubmit=${inRelease}>
      <div class="field"><label for="resolve-release">In release…</label>
        <input id="resolve-release" type="text" name="release" placeholder="e.g. shop@1.4.0" required
          list="resolve-releases" autocomplete="off" value=${release} onInput=${(e) => setRelease(e.target.value)} />
        <datalist id="resolve-releases">${releases.map((r) => html`<option value=${r.name} />`)}</datalist></div>
      <button type="submit">Apply</button>
    </form>`;
}

const IGNORE_KINDS = [
  { key: 'forMinutes', label: 'N minutes pass' },
  { key: 'untilMoreEvents', label: 'N more events arrive' },
  { key: 'untilMoreUsers', label: 'N more users are affected' },
];

function IgnoreOptions({ act, close }) {
  const [kind, setKind] = useState('forMinutes');
  const [amount, setAmount] = useState('60');
  const submit = (event) => {
    event.preventDefault();
    const n = Number.parseInt(amount, 10);
    if (n > 0) act(IGNORE, { until: { [kind]: n } }).then(close);
  };
  return html`<form class="menu-form" onSubmit=${submit}>
    <div class="field"><label for="ignore-until">Until</label>
      <select id="ignore-until" value=${kind} onChange=${(e) => setKind(e.target.value)}>
        ${IGNORE_KINDS.map((k) => html`<option value=${k.key}>${k.label}</option>`)}
      </select></div>
    <div class="field"><label for="ignore-amount">N</label>
      <input id="ignore-amount" type="number" min="1" step="1" required value=${amount} onInput=${(e) => setAmount(e.target.value)} /></div>
    <button type="submit">Apply</button>
  </form>`;
}

/** `run(mutation, variables)` sends a mutation returning `...IssueHead` and updates the page. */
export function StatusControls({ issue, run, canWrite }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const act = async (mutation, variables) => {
    setBusy(true);
    setError(null);
    try {
      await run(mutation, { id: issue.id, ...variables });
    } catch (failure) {
      setError(failure.message);
    } finally {
      setBusy(false);
    }
  };
  const resolved = issue.status === 'RESOLVED';
  const ignored = issue.status === 'IGNORED';
  return html`<div class="status-block">
    <p class="status-line"><span class=${`status-dot dot-${issue.status.toLowerCase()}`} aria-hidden="true"></span>
      <strong>${statusText(issue)}</strong></p>
    ${canWrite && issue.status !== 'MERGED' && html`<div class="status-actions" aria-busy=${busy}>
      ${!resolved && html`<span class="split">
        <button type="button" class="primary" disabled=${busy}
          onClick=${() => act(RESOLVE, { inRelease: null, inNextRelease: false })}>Resolve</button>
        <${Popover} label="Resolution options"
          panel=${(close) => html`<${ResolveOptions} act=${act} close=${close} projectId=${issue.project?.id} />`} />
      </span>`}
      ${!resolved && !ignored && html`<span class="split">
        <button type="button" disabled=${busy} onClick=${() => act(IGNORE, { until: {} })}>Ignore</button>
        <${Popover} label="Conditions for ignoring"
          panel=${(close) => html`<${IgnoreOptions} act=${act} close=${close} />`} />
      </span>`}
      ${(resolved || ignored) && html`<button type="button" disabled=${busy} onClick=${() => act(UNRESOLVE)}>Unresolve</button>`}
    </div>`}
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </div>`;
}
