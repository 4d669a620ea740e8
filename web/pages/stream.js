// The issue stream of a project: search and filters (kept in the URL), one GraphQL request per
// page of fifty issues with their sparklines, bulk and keyboard actions, and live updates.
import { html, useCallback, useEffect, useMemo, useRef, useState } from '../lib/view.js';
import { gql } from '../lib/graphql.js';
import { navigate, useRestoredScroll } from '../lib/router.js';
import { useShortcuts } from '../lib/shortcuts.js';
import { count } from '../lib/format.js';
import {
  PAGE_SIZE, readState, streamUrl, withChanges, statsWindow, listArguments, isNarrowed,
} from '../components/stream-state.js';
import { ISSUE_ROW_FIELDS } from '../components/issue-row.js';
import { StreamTable } from '../components/stream-table.js';
import { StreamFilters } from '../components/stream-filters.js';
import { StreamBulk, resolveIssue } from '../components/stream-bulk.js';
import { StreamEmpty } from '../components/stream-empty.js';
import { useLiveIssues } from '../components/stream-live.js';

const STREAM = `query Stream($projectId: ID!, $first: Int!, $after: String, $filter: IssueFilter,
    $sort: IssueSort, $query: String, $from: DateTime!, $to: DateTime!, $interval: StatsInterval!) {
  project(id: $projectId) {
    id name
    environments { name }
    releases { name }
    everything: issues(first: 1) { totalCount }
    issues(first: $first, after: $after, filter: $filter, sort: $sort, query: $query) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { ...IssueRowFields } }
    }
  }
}
${ISSUE_ROW_FIELDS}`;

/** Redraws once a minute, so relative times and sparklines keep up with the clock. */
function useMinute() {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60e3);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** A polite live region; `announce(text)` reads `text` out once. */
function useAnnouncer() {
  const [message, setMessage] = useState('');
  const announce = useCallback((text) => {
    setMessage('');
    setTimeout(() => setMessage(text), 50);
  }, []);
  const region = html`<p class="visually-hidden" role="status" aria-live="polite">${message}</p>`;
  return [region, announce];
}

/** Requests made before the page was drawn (`prefetch`), by what they ask for. */
const prefetched = new Map();

/** The request for a page of the list: `key` names what it asks (the time window aside). */
function streamRequest(projectId, state) {
  const args = listArguments(state);
  const key = JSON.stringify([projectId, state.after, state.range, args]);
  const variables = { projectId, first: PAGE_SIZE, after: state.after || null, ...args,
    ...statsWindow(state.range, new Date()) };
  return { key, send: () => gql(STREAM, variables) };
}

/**
 * Asks for the list while the shell is still loading the session (the application calls it as
 * soon as it knows the route), so the rows arrive one round trip sooner.
 */
export function prefetch({ projectId, query }) {
  const { key, send } = streamRequest(projectId, readState(query));
  const answer = send();
  answer.catch(() => {}); // the page reports failures when it takes the answer
  prefetched.set(key, answer);
}

/** Loads the page of issues the URL describes; `reload()` asks again. */
function useStream(projectId, state) {
  const [result, setResult] = useState({ loading: true });
  const [meta, setMeta] = useState(null);
  const [reloads, setReloads] = useState(0);
  const args = useMemo(() => listArguments(state), [state]);
  useEffect(() => {
    let current = true;
    setResult((before) => ({ ...before, loading: true }));
    const { key, send } = streamRequest(projectId, state);
    const answer = (reloads === 0 && prefetched.get(key)) || send();
    prefetched.delete(key);
    answer
      .then((data) => {
        if (!current) return;
        const project = data.project;
        if (!project) {
          setResult({ missing: true });
          return;
        }
        setMeta({ name: project.name, environments: project.environments, releases: project.releases,
          everEmpty: project.everything.totalCount === 0 });
        setResult({
          issues: project.issues.edges.map((edge) => edge.node),
          totalCount: project.issues.totalCount,
          pageInfo: project.issues.pageInfo,
        });
      }, (error) => {
        if (!current) return;
        const search = error.code === 'BAD_USER_INPUT' && /search/i.test(error.message);
        setResult(search ? { issues: [], searchError: error.message } : { error: error.message });
      });
    return () => { current = false; };
  }, [projectId, state, reloads]);
  return { result, setResult, meta, args, reload: () => setReloads((n) => n + 1) };
}

export default function StreamPage({ projectId, query }) {
  const search = query.toString();
  const state = useMemo(() => readState(query), [search]);
  const { result, setResult, meta, args, reload } = useStream(projectId, state);
  const [checked, setChecked] = useState(new Set());
  const [cursor, setCursor] = useState(-1);
  const [region, announce] = useAnnouncer();
  const now = useMinute();
  const searchRef = useRef(null);
  const tableRef = useRef(null);
  const issues = result.issues || [];
  useRestoredScroll(!!result.issues && !result.loading);
  const go = (changes) => navigate(streamUrl(projectId, withChanges(state, changes)));

  useEffect(() => {
    setChecked(new Set());
    setCursor(-1);
  }, [result.pageInfo, result.searchError]);
  useEffect(() => {
    document.title = meta ? `Issues · ${meta.name} · Larder` : 'Issues · Larder';
  }, [meta?.name]);

  const patch = useCallback((changes) => {
    const byId = new Map(changes.map((issue) => [issue.id, issue]));
    setResult((before) => before.issues
      ? { ...before, issues: before.issues.map((issue) => (byId.has(issue.id) ? { ...issue, ...byId.get(issue.id) } : issue)) }
      : before);
  }, []);
  const live = useLiveIssues({
    projectId: result.missing ? null : projectId,
    args,
    range: state.range,
    onIssue: (issue) => patch([issue]),
    isShown: (id) => issues.some((issue) => issue.id === id),
  });
  const showFresh = () => {
    live.clearFresh();
    const first = streamUrl(projectId, withChanges(state, {}));
    if (first === location.pathname + location.search) reload();
    else navigate(first);
  };

  const onCheck = useCallback((id, on) => setChecked((before) => {
    const next = new Set(before);
    if (on) next.add(id); else next.delete(id);
    return next;
  }), []);
  const afterBulk = (changes) => {
    patch(changes);
    setChecked(new Set());
  };
  const selected = issues.filter((issue) => checked.has(issue.id));
  const checkAll = (on) => setChecked(on ? new Set(issues.map((issue) => issue.id)) : new Set());

  const moveTo = (index) => {
    if (!issues.length) return;
    const next = Math.max(0, Math.min(issues.length - 1, index));
    setCursor(next);
    tableRef.current?.querySelectorAll('.issue-title')[next]?.focus();
  };
  const currentIssue = issues[cursor];
  useShortcuts({
    j: () => moveTo(cursor + 1),
    k: () => moveTo(cursor < 0 ? 0 : cursor - 1),
    x: () => currentIssue && onCheck(currentIssue.id, !checked.has(currentIssue.id)),
    '/': () => searchRef.current?.focus(),
    Enter: (event) => {
      if (!currentIssue || event.target.closest('a, button, input')) return false;
      navigate(`/issues/${currentIssue.id}`);
    },
    e: () => {
      if (!currentIssue) return;
      const { id, title } = currentIssue;
      resolveIssue(id).then(
        (changed) => { patch([changed]); announce(`Resolved ${title}.`); },
        (error) => announce(`Could not resolve ${title}: ${error.message}`),
      );
    },
  });
  const followFocus = (event) => {
    const row = event.target.closest('tr[data-issue-id]');
    if (row) setCursor(issues.findIndex((issue) => issue.id === row.dataset.issueId));
  };

  const pageUrl = (after, back) => streamUrl(projectId, { ...state, after, back });
  const previous = () => navigate(pageUrl(state.back[state.back.length - 1], state.back.slice(0, -1)));
  const next = () => navigate(pageUrl(result.pageInfo.endCursor, [...state.back, state.after]));

  if (result.missing) {
    return html`<p class="error" role="alert">This project does not exist, or you cannot see it.</p>`;
  }
  const everEmpty = meta?.everEmpty && !result.loading;
  const first = state.back.length * PAGE_SIZE + 1;
  return html`<div class="stream">
    ${region}
    <div class="stream-head">
      <h1>Issues</h1>
      ${result.totalCount !== undefined && !everEmpty && html`<span class="muted">${count(result.totalCount)} ${isNarrowed(state) ? 'matching' : 'unresolved'}</span>`}
      ${!everEmpty && html`<span class="stream-keys muted">Keys: <kbd>j</kbd> <kbd>k</kbd> move, <kbd>Enter</kbd> open, <kbd>e</kbd> resolve, <kbd>x</kbd> select, <kbd>/</kbd> search</span>`}
    </div>
    ${!everEmpty && html`<${StreamFilters} projectId=${projectId} state=${state} environments=${meta?.environments || []}
      releases=${meta?.releases || []} searchError=${result.searchError} searchRef=${searchRef} onChange=${go} />`}
    ${result.error && html`<p class="error" role="alert">${result.error}</p>`}
    ${live.fresh > 0 && html`<div class="stream-fresh" role="status">
      <button type="button" class="stream-fresh-button" onClick=${showFresh}>
        ${live.fresh} new ${live.fresh === 1 ? 'issue' : 'issues'} — show</button></div>`}
    ${result.loading && !result.issues && !result.error && html`<p class="loading" role="status">Loading issues…</p>`}
    ${everEmpty && html`<${StreamEmpty} projectId=${projectId} everEmpty />`}
    ${result.issues && !everEmpty && !result.searchError && html`
      <${StreamBulk} selected=${selected} onChanged=${afterBulk} onMerged=${reload} announce=${announce} />
      ${issues.length === 0
        ? html`<${StreamEmpty} projectId=${projectId} narrowed=${isNarrowed(state)}
            clearUrl=${streamUrl(projectId, readState(new URLSearchParams()))}
            allUrl=${streamUrl(projectId, withChanges(state, { status: 'all' }))} />`
        : html`<${StreamTable} issues=${issues} checked=${checked} cursor=${cursor} onCheck=${onCheck}
            onCheckAll=${checkAll} range=${state.range} now=${now} busy=${result.loading}
            onRange=${(key) => navigate(streamUrl(projectId, { ...state, range: key }))}
            tableRef=${tableRef} onFocusIn=${followFocus} />`}
      ${(issues.length > 0 || state.back.length > 0) && html`<nav class="stream-pages" aria-label="Pages">
        <span class="muted">${issues.length ? `${count(first)}–${count(first + issues.length - 1)} of ${count(result.totalCount)}` : ''}</span>
        <button type="button" disabled=${state.back.length === 0} onClick=${previous}>Previous page</button>
        <button type="button" disabled=${!result.pageInfo?.hasNextPage} onClick=${next}>Next page</button>
      </nav>`}
    `}
  </div>`;
}
